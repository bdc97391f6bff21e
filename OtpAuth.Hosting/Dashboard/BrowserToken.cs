using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>
/// Who may use the dashboard. On loopback (the default) anyone on this machine may, as with Aspire's dashboard;
/// bound elsewhere it asks for the browser token printed on the AppHost console: <c>/login?t=TOKEN</c> sets a
/// cookie, and scripts send <c>Authorization: Bearer TOKEN</c>. Either way it refuses what a web page elsewhere
/// could make a browser send: a cross-origin POST (stop/start/restart) and, on loopback, a Host header that is not
/// loopback (DNS rebinding).
/// </summary>
internal sealed class BrowserToken(string? token, bool loopback)
{
    public const string CookieName = "otpauth_dashboard";

    /// <summary>Null when no token is required (loopback).</summary>
    public string? Token { get; } = token;

    public static BrowserToken For(string host, string? configuredToken)
    {
        var loopback = IsLoopback(host);
        return new BrowserToken(loopback ? null : configuredToken ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), loopback);
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (loopback && !IsLoopback(request.Host.Host.Trim('[', ']')))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (HttpMethods.IsPost(request.Method) && request.Headers.Origin is [{ } origin]
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (Token is null)
        {
            await next(context);
            return;
        }

        if (request.Path == "/login")
        {
            await LogInAsync(context);
            return;
        }

        if (Matches(request.Cookies[CookieName]) || Matches(BearerOf(request)) || request.Path == "/login.html" || request.Path == "/app.css")
        {
            await next(context);
            return;
        }

        if (request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }

        context.Response.Redirect("/login.html");
    }

    private async Task LogInAsync(HttpContext context)
    {
        if (!Matches(context.Request.Query["t"]))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Wrong or missing token: use the login link the AppHost printed on its console.");
            return;
        }

        context.Response.Cookies.Append(CookieName, Token!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            IsEssential = true,
            Path = "/",
        });
        context.Response.Redirect("/");
    }

    private static string? BearerOf(HttpRequest request) =>
        request.Headers.Authorization is [{ } value] && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : null;

    private bool Matches(string? candidate) =>
        candidate is not null && Token is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(Token));
}
