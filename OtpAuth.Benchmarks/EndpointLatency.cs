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
        var refreshTokens = new List<string>();
        rows.Add(("POST /auth/login (right password; a new session)", await SampleAsync(emails, async email =>
        {
            var response = await api.PostAsJsonAsync("/auth/login", new { email, password = SystemUnderTest.Password });
            await response.Content.LoadIntoBufferAsync();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            token ??= body.GetProperty("access_token").GetString();
            refreshTokens.Add(body.GetProperty("refresh_token").GetString()!);
            return response;
        })));

        // Each session but the first, whose access token the next rows use.
        rows.Add(("POST /auth/refresh (rotation: one transaction, a new ES256 token)", await SampleAsync(refreshTokens.Skip(1).ToList(), refresh =>
            api.PostAsJsonAsync("/auth/refresh", new { refresh_token = refresh }))));

        rows.Add(("GET /auth/me", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return api.SendAsync(request);
        })));

        // The revocation check is one Redis lookup after the signature check: a revoked session's token answers 401 there.
        string? revoked = null;
        rows.Add(("GET /auth/me (token of a revoked session: 401)", await SampleAsync(Enumerable.Range(0, Samples).ToList(), async _ =>
        {
            if (revoked is null)
            {
                var email = emails[^1];
                var login = await api.PostAsJsonAsync("/auth/login", new { email, password = SystemUnderTest.Password });
                revoked = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
                var logout = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
                logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", revoked);
                (await api.SendAsync(logout)).EnsureSuccessStatusCode();
            }

            var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", revoked);
            return await api.SendAsync(request);
        })));

        rows.Add(("GET /.well-known/jwks.json", await SampleAsync(Enumerable.Range(0, Samples).ToList(), _ => api.GetAsync("/.well-known/jwks.json"))));

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
