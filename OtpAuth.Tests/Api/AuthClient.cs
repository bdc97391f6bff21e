using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Talks to one Api resource the way a client would: JSON bodies in snake_case, answers read as JSON. Every call
/// carries the test's cancellation token. Codes come from the mail server, never from the Api. It remembers the
/// registration id of its newest registration per address, as the Web does, so verify and resend name it by themselves.
/// With <paramref name="clientIp"/> every request says it comes from that address through the trusted proxy (loopback,
/// as the Web is): how a test plays a second person on another network.
/// </summary>
public sealed class AuthClient(OtpAuthSystem system, string resourceName = "api", string? clientIp = null) : IDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly Dictionary<string, string> _registrations = new(StringComparer.OrdinalIgnoreCase);

    public HttpClient Http { get; } = WithClientIp(system.CreateHttpClient(resourceName), clientIp);

    public MailInbox Mail => system.Mail;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A fresh address per test, so tests never share codes, counters or accounts.</summary>
    public static string NewAddress() => $"{Guid.NewGuid():N}@example.test";

    /// <summary>Registers; a 202's registration id is kept for this address (under the spelling sent and the one answered).</summary>
    public async Task<HttpResponseMessage> RegisterAsync(string email, string password = Password)
    {
        var response = await PostAsync("/auth/register", new { email, password });
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            await response.Content.LoadIntoBufferAsync(Token); // the test may read the answer too
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement;
            if (body.TryGetProperty("registration_id", out var id))
            {
                _registrations[email.Trim()] = id.GetString()!;
                _registrations[body.GetProperty("email").GetString()!] = id.GetString()!;
            }
        }

        return response;
    }

    /// <summary>The registration id the newest 202 for this address answered.</summary>
    public string RegistrationOf(string email) =>
        _registrations.TryGetValue(email.Trim(), out var id) ? id : throw new InvalidOperationException($"No registration of {email} by this client.");

    /// <summary>Verifies the newest registration of the address by this client, or one nobody issued when there is none.</summary>
    public Task<HttpResponseMessage> VerifyAsync(string email, string code) => VerifyAsync(email, code, KnownOrMadeUp(email));

    public Task<HttpResponseMessage> VerifyAsync(string email, string code, string registrationId) =>
        PostAsync("/auth/verify-otp", new { email, code, registration_id = registrationId });

    /// <summary>Resends for the newest registration of the address by this client, or one nobody issued when there is none.</summary>
    public Task<HttpResponseMessage> ResendAsync(string email) => ResendAsync(email, KnownOrMadeUp(email));

    public Task<HttpResponseMessage> ResendAsync(string email, string registrationId) =>
        PostAsync("/auth/resend-otp", new { email, registration_id = registrationId });

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

    /// <summary>
    /// Registers, reads the code from this registration's mail, verifies. Returns the code that was used. The mail server
    /// lists a message a moment after accepting it, so for an address mailed before (an earlier registration of it) the
    /// newest listed message could still be the older one.
    /// </summary>
    public async Task<string> RegisterAndVerifyAsync(string email, string password = Password)
    {
        var mailedBefore = await CountMailsAsync(email);
        using var registered = await RegisterAsync(email, password);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var code = await Mail.WaitForNewCodeAsync(email, mailedBefore, Token);
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

    /// <summary>Logs in (the account must exist); returns the access and refresh tokens.</summary>
    public async Task<SignedIn> SignInAsync(string email, string password = Password)
    {
        using var login = await LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return SignedIn.From(await ReadJsonAsync(login));
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) => PostAsync("/auth/refresh", new { refresh_token = refreshToken });

    /// <summary>A request with <paramref name="bearerToken"/>, and a JSON body when one is given.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearerToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Http.SendAsync(request, Token);
    }

    /// <summary>"Email me a code": asserts the 202 and returns its sign_in_id.</summary>
    public async Task<string> RequestSignInCodeAsync(string email)
    {
        using var response = await PostAsync("/auth/sign-in/code", new { email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("sign_in_id").GetString()!;
    }

    public Task<HttpResponseMessage> VerifySignInCodeAsync(string email, string code, string signInId) =>
        PostAsync("/auth/sign-in/code/verify", new { email, code, sign_in_id = signInId });

    /// <summary>Signs in with a mailed code (the account must exist); returns the tokens.</summary>
    public async Task<SignedIn> SignInByCodeAsync(string email)
    {
        var before = await CountMailsAsync(email);
        var signInId = await RequestSignInCodeAsync(email);
        var code = await WaitForNewCodeAsync(email, before);
        using var verified = await VerifySignInCodeAsync(email, code, signInId);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return SignedIn.From(await ReadJsonAsync(verified));
    }

    /// <summary>The claims of an access token, read without checking it (the Api checked it when it was issued).</summary>
    public static JsonElement ClaimsOf(string accessToken)
    {
        var payload = accessToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }

    public Task<string> WaitForNewCodeAsync(string email, int previousCount) => Mail.WaitForNewCodeAsync(email, previousCount, Token);

    /// <summary>The messages to <paramref name="email"/> once the mail server has listed what it accepted (<see cref="MailInbox.CountSettledAsync"/>).</summary>
    public Task<int> CountMailsAsync(string email) => Mail.CountSettledAsync(email, Token);

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

        // Every JSON name of the API is snake_case (docs/api.md), the framework's trace id extension included.
        Assert.False(problem.TryGetProperty("traceId", out _), "the trace id is named trace_id, not traceId");
        return problem;
    }

    /// <summary>A six-digit code that is not <paramref name="code"/>.</summary>
    public static string WrongCodeFor(string code) => code == "000000" ? "111111" : "000000";

    private string KnownOrMadeUp(string email)
    {
        if (!_registrations.TryGetValue(email.Trim(), out var id))
        {
            id = _registrations[email.Trim()] = Guid.CreateVersion7().ToString();
        }

        return id;
    }

    private static HttpClient WithClientIp(HttpClient http, string? clientIp)
    {
        if (clientIp is not null)
        {
            http.DefaultRequestHeaders.Add("X-Forwarded-For", clientIp);
        }

        return http;
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>What login and refresh answer.</summary>
public sealed record SignedIn(string AccessToken, string RefreshToken, int ExpiresIn, int RefreshExpiresIn)
{
    public static SignedIn From(JsonElement body) => new(
        body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!,
        body.GetProperty("expires_in").GetInt32(), body.GetProperty("refresh_expires_in").GetInt32());
}
