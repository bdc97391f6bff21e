namespace OtpAuth.Api.Security;

/// <summary>
/// Security headers on every response, HSTS with HTTPS redirection when the Api listens on https, and the request
/// timeouts of <see cref="RequestLimits"/> in the pipeline.
/// </summary>
public static class HttpHardening
{
    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
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
