using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Telemetry;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>
/// The AppHost's dashboard on one port (18888 by default): the single-page UI at <c>/</c>, served from files
/// embedded in this assembly, and the JSON it reads, the resource API (<see cref="ResourceApi"/>) and the telemetry
/// API (<see cref="TelemetryApi"/>). Scripts use the same JSON.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    // The UI loads only its own files: no inline script or style, nothing from elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri url, BrowserToken access)
    {
        _app = app;
        Url = url;
        Access = access;
    }

    public Uri Url { get; }

    public BrowserToken Access { get; }

    /// <summary>The link that logs a browser in, when the dashboard asks for a token (bound elsewhere than loopback).</summary>
    public Uri? LoginUrl => Access.Token is { } token ? new Uri(Url, $"login?t={token}") : null;

    public static async Task<DashboardServer> StartAsync(Orchestrator orchestrator, TelemetryStore telemetry, int port, string host, string? browserToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the AppHost console is for the resources' own output
        builder.WebHost.UseSetting("urls", string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        var app = builder.Build();

        var access = BrowserToken.For(host, browserToken);
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-cache";
            return next(context);
        });
        app.Use(access.InvokeAsync);

        var files = new EmbeddedFileProvider(typeof(DashboardServer).Assembly, "OtpAuth.Hosting.Dashboard.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });

        app.MapResourceApi(orchestrator);
        app.MapTelemetryApi(telemetry);
        await app.StartAsync();

        var shownHost = host is "0.0.0.0" or "*" or "+" or "::" ? "127.0.0.1" : host;
        return new DashboardServer(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{shownHost}:{port}/")), access);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
