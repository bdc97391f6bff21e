using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OtpAuth.Benchmarks;

/// <summary>Single-request latency of each endpoint: 20 sequential requests each, median and p90.</summary>
internal static class EndpointLatency
{
    private const int Samples = 20;

    public static async Task RunAsync(SystemUnderTest system)
    {
        var api = system.Api;
        var rows = new List<(string Call, List<double> Times)>();

        var emails = Enumerable.Range(0, Samples).Select(_ => SystemUnderTest.NewEmail("latency")).ToList();
        var registrations = new Dictionary<string, string>();
        rows.Add(("POST /auth/register (new address; bcrypt + SMTP)", await SampleAsync(emails, async email =>
        {
            var response = await api.PostAsJsonAsync("/auth/register", new { email, password = SystemUnderTest.Password });
            registrations[email] = await SystemUnderTest.RegistrationIdAsync(response);
            return response;
        })));

        var codes = new List<string>();
        foreach (var email in emails)
        {
            codes.Add(await system.Mail.WaitForCodeAsync(email));
        }

        rows.Add(("POST /auth/verify-otp (right code)", await SampleAsync(Enumerable.Range(0, Samples).ToList(), i =>
            api.PostAsJsonAsync("/auth/verify-otp", new { email = emails[i], code = codes[i], registration_id = registrations[emails[i]] }))));

        rows.Add(("POST /auth/verify-otp (wrong code)", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ =>
            api.PostAsJsonAsync("/auth/verify-otp", new { email = SystemUnderTest.NewEmail("unknown"), code = "000000", registration_id = Guid.CreateVersion7() }))));

        rows.Add(("POST /auth/resend-otp (no such registration)", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ =>
            api.PostAsJsonAsync("/auth/resend-otp", new { email = SystemUnderTest.NewEmail("resend"), registration_id = Guid.CreateVersion7() }))));

        string? token = null;
        rows.Add(("POST /auth/login (right password)", await SampleAsync(emails, async email =>
        {
            var response = await api.PostAsJsonAsync("/auth/login", new { email, password = SystemUnderTest.Password });
            token ??= (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
            return response;
        })));

        rows.Add(("GET /auth/me", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return api.SendAsync(request);
        })));

        rows.Add(("GET /health", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ => api.GetAsync("/health"))));

        Console.WriteLine();
        Console.WriteLine($"## Single-request latency ({Samples} sequential requests each, loopback)");
        Console.WriteLine();
        Console.WriteLine("| call | median ms | p90 ms |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (call, times) in rows)
        {
            Console.WriteLine($"| {call} | {Stats.Median(times):0.0} | {Stats.Percentile(times, 90):0.0} |");
        }
    }

    private static async Task<List<double>> SampleAsync<T>(IReadOnlyList<T> inputs, Func<T, Task<HttpResponseMessage>> send)
    {
        var times = new List<double>();
        foreach (var input in inputs)
        {
            times.Add(await SystemUnderTest.TimeAsync(() => send(input)));
        }

        return times;
    }
}
