using Microsoft.Playwright;
using OtpAuth.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// The real Aspire dashboard in Chromium, beside the AppHost's system: what a developer sees at http://localhost:18888.
/// Screenshots go with the test results, and to docs/screenshots when OTPAUTH_DOCS_SCREENSHOTS names that folder.
/// </summary>
public sealed class DashboardBrowserTests(DashboardSystem system, ChromiumFixture chromium)
    : IClassFixture<DashboardSystem>, IClassFixture<ChromiumFixture>
{
    private static readonly string[] AppHostResources = ["postgres", "otpauth", "redis", "mail", "api", "web"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_resources_page_shows_every_resource_of_the_AppHost_running_with_its_links()
    {
        await using var session = await chromium.NewSessionAsync(1440, 900);
        var page = session.Page;

        await page.GotoAsync(system.LoginUrl.ToString());

        foreach (var name in AppHostResources)
        {
            var row = ResourceRow(page, name);
            await Expect(row).ToContainTextAsync("Running", new() { Timeout = 30_000 });
            await Expect(row).Not.ToContainTextAsync("Unhealthy");
        }

        await Expect(ResourceRow(page, "api").GetByRole(AriaRole.Link, new() { Name = "API docs" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/docs$"));
        await Expect(ResourceRow(page, "web").GetByRole(AriaRole.Link, new() { Name = "OtpAuth" })).ToBeVisibleAsync();
        await Expect(ResourceRow(page, "mail").GetByRole(AriaRole.Link, new() { Name = "Inbox" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "dashboard-resources");
    }

    [Fact]
    public async Task A_login_through_the_Web_is_one_trace_with_api_PostgreSQL_and_Redis_spans()
    {
        var flow = await TracedFlow.RunAsync(system, Token);

        var spans = await system.WaitForTraceAsync(flow.LoginTraceId, spans =>
            spans.Any(s => s.Resource == "web") && spans.Any(s => s.Resource == "api" && s.Name == "POST /auth/login")
            && spans.Any(IsPostgres) && spans.Any(IsRedis), Token);

        Assert.All(spans.Where(s => IsPostgres(s) || IsRedis(s)), s => Assert.Equal("api", s.Resource));
        await using var session = await chromium.NewSessionAsync(1440, 900);
        var page = session.Page;
        await page.GotoAsync(system.LoginUrl.ToString());
        await page.GotoAsync(new Uri(system.LoginUrl, $"/traces/detail/{flow.LoginTraceId}").ToString());
        await Expect(page.GetByText("POST /auth/login").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByText("api", new() { Exact = true }).First).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "dashboard-trace");
    }

    [Fact]
    public async Task The_api_meter_shows_the_registrations_in_the_metrics_page()
    {
        await TracedFlow.RunAsync(system, Token);
        await using var session = await chromium.NewSessionAsync(1440, 900);
        var page = session.Page;

        await page.GotoAsync(system.LoginUrl.ToString());
        await page.GotoAsync(new Uri(system.LoginUrl, "/metrics/resource/api?meter=OtpAuth.Api&instrument=otpauth.registrations&duration=5").ToString());

        await Expect(page.GetByText("otpauth.registrations").First).ToBeVisibleAsync(new() { Timeout = 45_000 });
        await Expect(page.GetByText("Accounts registered").First).ToBeVisibleAsync(new() { Timeout = 45_000 }); // the description renders after the name
        // The values as a table: at least one export has counted at least one registration.
        await page.GetByRole(AriaRole.Radio, new() { Name = "Table" }).Or(page.GetByText("Table", new() { Exact = true })).First.ClickAsync();
        // Each row is "<time> <count>" (the header row first).
        await Expect(page.GetByRole(AriaRole.Row).Nth(1)).ToHaveAccessibleNameAsync(
            new System.Text.RegularExpressions.Regex(@" [1-9][0-9]*$"), new() { Timeout = 45_000 });
        await page.GetByRole(AriaRole.Radio, new() { Name = "Graph" }).Or(page.GetByText("Graph", new() { Exact = true })).First.ClickAsync();
        await page.WaitForTimeoutAsync(1500); // the chart draws after its data arrive
        await Screenshots.SaveAsync(page, "dashboard-metrics");
    }

    private static bool IsPostgres(Span span) =>
        span.Attributes.GetValueOrDefault("db.system") == "postgresql" || span.Attributes.GetValueOrDefault("db.system.name") == "postgresql";

    private static bool IsRedis(Span span) =>
        span.Attributes.GetValueOrDefault("db.system") == "redis" || span.Attributes.GetValueOrDefault("db.system.name") == "redis";

    private static ILocator ResourceRow(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(name, new() { Exact = true }) });
}
