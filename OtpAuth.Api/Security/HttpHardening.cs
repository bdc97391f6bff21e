using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OtpAuth.Api.Security;

/// <summary>
/// Kestrel limits against slow and oversized clients, a timeout on every request, security headers on every response,
/// and HSTS with HTTPS redirection when the Api listens on https. Bodies are capped at 16 KiB by
/// <see cref="Infrastructure.ProblemDetailsSetup"/>.
/// </summary>
public static class HttpHardening
{
    /// <summary>
    /// Longest a request may run before it is cancelled and answered 503. Each dependency's own timeouts end a request
    /// sooner; this bounds what they add up to (a statement's timeout, then the cancel request Npgsql sends, then a
    /// retry), so that every endpoint answers within 10 s while a dependency hangs. No request of this Api needs longer.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(8);

    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.AddServerHeader = false;
            var limits = options.Limits;
            limits.MaxRequestHeaderCount = 50;
            limits.MaxRequestHeadersTotalSize = 16 * 1024;
            limits.MaxRequestLineSize = 4 * 1024;
            // Slowloris: the headers must arrive within 10 s, and a body at 240 bytes/s or better after a 5 s grace.
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            limits.Http2.MaxStreamsPerConnection = 32;
        });

        builder.Services.AddRequestTimeouts(options =>
        {
            options.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            };
        });

        if (UsesTls(builder.Configuration))
        {
            builder.Services.AddHsts(options =>
            {
                options.MaxAge = TimeSpan.FromDays(365);
                options.IncludeSubDomains = true;
            });
            builder.Services.AddHttpsRedirection(options => options.RedirectStatusCode = StatusCodes.Status308PermanentRedirect);
        }

        return builder;
    }

    /// <summary>Security headers, then HSTS and HTTPS redirection when on TLS, then the request timeouts.</summary>
    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                AddSecurityHeaders((HttpContext)state);
                return Task.CompletedTask;
            }, context);
            return next(context);
        });

        if (UsesTls(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>True when an https URL is configured (<c>ASPNETCORE_URLS</c>, <c>urls</c>, <c>Kestrel:Endpoints:*:Url</c>).</summary>
    public static bool UsesTls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"] ?? "");
        return urls.Concat(endpoints).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
    }

    private static void AddSecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        var path = context.Request.Path;
        // The interactive docs page loads its own scripts and styles; every other answer is data and may load nothing.
        if (!path.StartsWithSegments("/docs"))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        }

        // Tokens, account data and answers about accounts must never sit in a shared or browser cache.
        if (path.StartsWithSegments("/auth"))
        {
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }
    }
}
