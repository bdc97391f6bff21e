using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Talks to one Api resource the way a client would: JSON bodies in snake_case, answers read as JSON. Every call
/// carries the test's cancellation token. Codes come from the mail server, never from the Api.
/// </summary>
public sealed class AuthClient(OtpAuthSystem system, string resourceName = "api") : IDisposable
{
    public const string Password = "correct horse battery staple";

    public HttpClient Http { get; } = system.CreateHttpClient(resourceName);

    public MailInbox Mail => system.Mail;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A fresh address per test, so tests never share codes, counters or accounts.</summary>
    public static string NewAddress() => $"{Guid.NewGuid():N}@example.test";

    public Task<HttpResponseMessage> RegisterAsync(string email, string password = Password) =>
        PostAsync("/auth/register", new { email, password });

    public Task<HttpResponseMessage> VerifyAsync(string email, string code) =>
        PostAsync("/auth/verify-otp", new { email, code });

    public Task<HttpResponseMessage> ResendAsync(string email) =>
        PostAsync("/auth/resend-otp", new { email });

    public Task<HttpResponseMessage> LoginAsync(string email, string password = Password) =>
        PostAsync("/auth/login", new { email, password });

    public Task<HttpResponseMessage> MeAsync(string? bearerToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return Http.SendAsync(request, Token);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body) => Http.PostAsJsonAsync(path, body, Token);

    /// <summary>Registers, reads the code from the mail, verifies. Returns the code that was used.</summary>
    public async Task<string> RegisterAndVerifyAsync(string email, string password = Password)
    {
        using var registered = await RegisterAsync(email, password);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var code = await Mail.WaitForCodeAsync(email, Token);
        using var verified = await VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return code;
    }

    /// <summary>Registers, verifies and logs in; returns the access token.</summary>
    public async Task<string> RegisterVerifyAndLoginAsync(string email, string password = Password)
    {
        await RegisterAndVerifyAsync(email, password);
        using var login = await LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await ReadJsonAsync(login)).GetProperty("access_token").GetString()!;
    }

    public Task<string> WaitForNewCodeAsync(string email, int previousCount) => Mail.WaitForNewCodeAsync(email, previousCount, Token);

    public async Task<int> CountMailsAsync(string email) => (await Mail.GetMessagesToAsync(email, Token)).Count;

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    /// <summary>Asserts an RFC 9457 problem with this status and returns its body; no stack trace or exception text in it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detail = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var actualDetail = problem.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(actualDetail), "a problem carries a human-readable detail");
        if (detail is not null)
        {
            Assert.Equal(detail, actualDetail);
        }

        // Every JSON name of the API is snake_case (DESIGN.md §3), the framework's trace id extension included.
        Assert.False(problem.TryGetProperty("traceId", out _), "the trace id is named trace_id, not traceId");
        return problem;
    }

    /// <summary>A six-digit code that is not <paramref name="code"/>.</summary>
    public static string WrongCodeFor(string code) => code == "000000" ? "111111" : "000000";

    public void Dispose() => Http.Dispose();
}
