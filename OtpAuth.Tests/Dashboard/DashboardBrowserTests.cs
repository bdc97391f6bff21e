using Microsoft.Playwright;
using OtpAuth.Tests.Infrastructure;
using OtpAuth.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// The dashboard in real Chromium against the shared running system: what a developer sees at http://localhost:18888.
/// Screenshots go with the test results, and to docs/screenshots when OTPAUTH_DOCS_SCREENSHOTS names that folder.
/// </summary>
public sealed class DashboardBrowserTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string[] AppHostResources = ["postgres", "otpauth", "redis", "mail", "api", "web"];

    [Fact]
    public async Task The_resources_view_shows_every_resource_of_the_AppHost_running_and_healthy()
    {
        await using var session = await chromium.NewSessionAsync(1440, 900);
        var page = session.Page;

        await page.GotoAsync(system.App.DashboardUrl!.ToString());

        foreach (var name in AppHostResources)
        {
            var row = page.Locator($"tr[data-resource='{name}']");
            await Expect(row.Locator(".state")).ToHaveTextAsync("running");
            await Expect(row.Locator(".health")).ToHaveTextAsync("healthy");
        }

        var api = page.Locator("tr[data-resource='api']");
        await Expect(api.GetByRole(AriaRole.Link, new() { Name = "docs" })).ToHaveAttributeAsync("href", $"{system.GetEndpoint("api").ToString().TrimEnd('/')}/docs");
        await Expect(page.Locator("tr[data-resource='mail'] .urls a")).ToHaveTextAsync($"http: {system.GetEndpoint("mail", "http").ToString().TrimEnd('/')}"); // the inbox
        await Expect(page.Locator("tr[data-resource='mail'] .urls")).ToContainTextAsync("smtp://");
        await api.GetByRole(AriaRole.Button, new() { Name = "Env" }).ClickAsync();
        await Expect(page.Locator("table.env").GetByText("Jwt__SigningKey").Locator("xpath=following-sibling::td")).ToHaveTextAsync("********");
        await api.GetByRole(AriaRole.Button, new() { Name = "Env" }).ClickAsync();
        await Screenshots.SaveAsync(page, "dashboard-resources");
        Assert.Empty(session.Errors); // a CSP violation would be one
    }

    [Fact]
    public async Task A_login_through_the_Web_can_be_followed_to_its_trace_its_log_records_and_the_metrics()
    {
        var flow = await OtpAuthFlow.RunAsync(system, "web");
        await using var session = await chromium.NewSessionAsync(1440, 900);
        var page = session.Page;
        page.SetDefaultTimeout((float)DashboardClient.TelemetryTimeout.TotalMilliseconds);

        await page.GotoAsync(new Uri(system.App.DashboardUrl!, "#/traces?text=POST%20/auth/login").ToString());
        var row = page.Locator($"tr[data-trace-id='{flow.LoginTraceId}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = (float)DashboardClient.TelemetryTimeout.TotalMilliseconds });
        await Expect(row.Locator(".chip", new() { HasText = "api" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "dashboard-traces");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        var apiRequest = page.Locator(".wf-row[data-kind='server']", new() { HasText = "POST /auth/login" });
        await Expect(apiRequest).ToBeVisibleAsync();
        await Expect(page.Locator(".wf-row", new() { HasText = "postgresql" }).First).ToBeVisibleAsync();
        await apiRequest.ClickAsync();
        await Expect(page.Locator(".span-details")).ToContainTextAsync("http.response.status_code");
        await Expect(page.Locator(".trace-logs")).ToContainTextAsync("logged in");
        await Screenshots.SaveAsync(page, "dashboard-trace");

        await page.Locator(".trace-logs").GetByRole(AriaRole.Link, new() { Name = "open in structured logs" }).ClickAsync();
        await Expect(page.Locator("table.logs tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("table.logs")).ToContainTextAsync("logged in");
        await Screenshots.SaveAsync(page, "dashboard-logs");

        await page.GotoAsync(new Uri(system.App.DashboardUrl!, "#/metrics/api?instrument=http.server.request.duration").ToString());
        await Expect(page.Locator("svg.chart polyline, svg.chart circle").First).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "dashboard-metrics");

        await page.GotoAsync(new Uri(system.App.DashboardUrl!, "#/console/api").ToString());
        await Expect(page.Locator(".console .line").First).ToBeVisibleAsync();
        await page.Locator("#console-filter").FillAsync("Now listening");
        await Expect(page.Locator(".console .line:visible").First).ToContainTextAsync("Now listening");
        await Expect(page.Locator(".console .line", new() { HasText = "Application started" }).First).ToBeHiddenAsync();
        await page.Locator("#console-filter").FillAsync("");
        await Screenshots.SaveAsync(page, "dashboard-console");
        Assert.Empty(session.Errors);
    }
}
