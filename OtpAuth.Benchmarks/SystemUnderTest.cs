using System.Diagnostics;
using System.Net.Http.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Benchmarks;

/// <summary>The running system and the few calls every benchmark needs.</summary>
internal sealed class SystemUnderTest(DistributedApplication app)
{
    public const string Password = "correct horse battery staple";

    // Plain clients on the endpoints: no resilience handler between the benchmark and what it measures.
    public HttpClient Api { get; } = new() { BaseAddress = app.GetEndpoint("api", "http") };

    public MailInbox Mail { get; } = new(new HttpClient { BaseAddress = app.GetEndpoint("mail", "http") });

    public static string NewEmail(string purpose) => $"bench-{purpose}-{Guid.NewGuid():N}@example.test";

    /// <summary>Registers, verifies with the mailed code, and returns the address.</summary>
    public async Task<string> CreateVerifiedAccountAsync()
    {
        var email = NewEmail("account");
        var registration = await RegistrationIdAsync(await Api.PostAsJsonAsync("/auth/register", new { email, password = Password }));
        var code = await Mail.WaitForCodeAsync(email);
        (await Api.PostAsJsonAsync("/auth/verify-otp", new { email, code, registration_id = registration })).EnsureSuccessStatusCode();
        return email;
    }

    /// <summary>The registration id of a register answer (which must be a success).</summary>
    public static async Task<string> RegistrationIdAsync(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        await response.Content.LoadIntoBufferAsync();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("registration_id").GetString()!;
    }

    /// <summary>Milliseconds one request takes, start to end of the response body.</summary>
    public static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        using var response = await send();
        await response.Content.ReadAsByteArrayAsync();
        return watch.Elapsed.TotalMilliseconds;
    }
}
