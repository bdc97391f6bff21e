using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OtpAuth.Benchmarks.Load;

/// <summary>One system's sign-up, verification and sign-in calls, as a client of it makes them.</summary>
internal abstract class LoadTarget(string name, Uri baseAddress)
{
    public string Name => name;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseCookies = false })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Registers; returns the status and what verification needs besides the code (OtpAuth's registration id).</summary>
    public abstract Task<(HttpStatusCode Status, string? Context)> RegisterAsync(string email, string password);

    public abstract Task<HttpStatusCode> VerifyAsync(string email, string code, string? context);

    public abstract Task<HttpStatusCode> LoginAsync(string email, string password);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _reported = new();

    protected async Task<HttpStatusCode> StatusOfAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Report(response, body);
        return response.StatusCode;
    }

    /// <summary>The first answer of each refused status and path, once, so a run says why something was refused.</summary>
    protected void Report(HttpResponseMessage response, string body)
    {
        var key = $"{response.RequestMessage?.RequestUri?.AbsolutePath} {(int)response.StatusCode}";
        if (!response.IsSuccessStatusCode && _reported.TryAdd(key, true))
        {
            Console.WriteLine($"{name}: {key}: {(body.Length > 300 ? body[..300] : body)}");
        }
    }
}

internal sealed class OtpAuthTarget(Uri api) : LoadTarget("OtpAuth", api)
{
    public override async Task<(HttpStatusCode, string?)> RegisterAsync(string email, string password)
    {
        using var response = await Http.PostAsJsonAsync("/auth/register", new { email, password });
        var body = await response.Content.ReadAsStringAsync();
        Report(response, body);
        return (response.StatusCode, response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("registration_id").GetString()
            : null);
    }

    public override Task<HttpStatusCode> VerifyAsync(string email, string code, string? context) =>
        StatusOfAsync(Http.PostAsJsonAsync("/auth/verify-otp", new { email, code, registration_id = context }));

    public override Task<HttpStatusCode> LoginAsync(string email, string password) =>
        StatusOfAsync(Http.PostAsJsonAsync("/auth/login", new { email, password }));
}

/// <summary>OtpAuth.Benchmarks/Load/BetterAuth: Better Auth with its emailOTP plugin (its README lists these paths).</summary>
internal sealed class BetterAuthTarget(Uri server) : LoadTarget("Better Auth", server)
{
    public override async Task<(HttpStatusCode, string?)> RegisterAsync(string email, string password) =>
        (await StatusOfAsync(Http.PostAsJsonAsync("/api/auth/sign-up/email", new { email, password, name = "" })), null);

    public override Task<HttpStatusCode> VerifyAsync(string email, string code, string? context) =>
        StatusOfAsync(Http.PostAsJsonAsync("/api/auth/email-otp/verify-email", new { email, otp = code }));

    public override Task<HttpStatusCode> LoginAsync(string email, string password) =>
        StatusOfAsync(Http.PostAsJsonAsync("/api/auth/sign-in/email", new { email, password }));
}
