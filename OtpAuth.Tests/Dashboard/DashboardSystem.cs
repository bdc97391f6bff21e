using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// The AppHost's system once more, this time with the real Aspire dashboard running beside it (the testing builder
/// leaves it off), for the tests of what a developer sees there. Its own state folder, its own keys: the dashboard's API
/// keys are given here, so Aspire does not generate them into the developer's user secrets.
/// </summary>
public sealed class DashboardSystem : IAsyncLifetime
{
    private const string TelemetryApiKey = "test-dashboard-api-key-0123456789";
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(45);
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("otpauth-dashboard-");
    private DistributedApplication? _app;
    private HttpClient? _telemetry;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    public MailInbox Mail { get; private set; } = null!;

    /// <summary>The dashboard's address with its browser token: opening it signs the browser in.</summary>
    public Uri LoginUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [.. TestApp.Arguments(_state.FullName), $"AppHost:DashboardApiKey={TelemetryApiKey}",
             "AppHost:OtlpApiKey=test-otlp-api-key-0123456789", "AppHost:McpApiKey=test-mcp-api-key-0123456789"],
            timeout.Token);
        appHost.CreateResourceBuilder<IResourceWithEnvironment>("api").WithEnvironment("Password__BcryptWorkFactor", "10");
        _app = await appHost.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await AppStartup.WaitForAllHealthyAsync(_app, timeout.Token);
        Mail = new MailInbox(_app.CreateHttpClient("mail", "http"));
        LoginUrl = await _app.GetDashboardUrlAsync(timeout.Token);
        _telemetry = new HttpClient { BaseAddress = new Uri(LoginUrl.GetLeftPart(UriPartial.Authority)) };
        _telemetry.DefaultRequestHeaders.Add("x-api-key", TelemetryApiKey);
    }

    /// <summary>
    /// The spans of a trace from the dashboard's telemetry API (OTLP JSON), once <paramref name="complete"/> holds of
    /// them: telemetry arrives in batches, a second or so after the requests.
    /// </summary>
    public async Task<IReadOnlyList<Span>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<Span>, bool> complete, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TelemetryTimeout;
        IReadOnlyList<Span> spans = [];
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _telemetry!.GetAsync($"/api/telemetry/traces/{traceId}", cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                spans = Span.Read(await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken));
                if (complete(spans))
                {
                    return spans;
                }
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new TimeoutException($"Trace {traceId} was not complete in the dashboard within {TelemetryTimeout.TotalSeconds} s; it had: "
            + string.Join(", ", spans.Select(s => $"{s.Resource}: {s.Name}")));
    }

    public async ValueTask DisposeAsync()
    {
        _telemetry?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        AppStartup.DeleteStateDirectory(_state);
    }
}

/// <summary>One span as the dashboard's telemetry API gives it: its resource, name and string attributes.</summary>
public sealed record Span(string Resource, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public static IReadOnlyList<Span> Read(JsonElement response) =>
    [
        .. from resourceSpans in response.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
           let resource = Attribute(resourceSpans.GetProperty("resource"), "service.name") ?? ""
           from scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray()
           from span in scopeSpans.GetProperty("spans").EnumerateArray()
           select new Span(resource, span.GetProperty("name").GetString()!, StringAttributes(span)),
    ];

    private static Dictionary<string, string> StringAttributes(JsonElement element) =>
        element.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(a => a.GetProperty("value").TryGetProperty("stringValue", out _))
                .GroupBy(a => a.GetProperty("key").GetString()!)
                .ToDictionary(g => g.Key, g => g.First().GetProperty("value").GetProperty("stringValue").GetString()!)
            : [];

    private static string? Attribute(JsonElement element, string key) => StringAttributes(element).GetValueOrDefault(key);
}
