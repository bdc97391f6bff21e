using System.Net;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Dashboard;

/// <summary>The resource API's views of the shared system: console lines, masked secrets, the dashboard page itself.</summary>
public sealed class ResourceApiTests(OtpAuthSystem system) : IDisposable
{
    private readonly DashboardClient dashboard = new(system.App.DashboardUrl!);

    public void Dispose() => dashboard.Dispose();

    [Fact]
    public async Task Console_logs_of_a_resource_are_returned_oldest_first()
    {
        var lines = await dashboard.GetAsync("/api/resources/api/logs");

        Assert.True(lines.GetArrayLength() > 0);
        Assert.Contains(lines.EnumerateArray(), l => l.GetString()!.Contains("Now listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_console_stream_sends_the_backlog_as_server_sent_events()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/resources/api/logs/stream");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var response = await dashboard.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: line", await reader.ReadLineAsync(timeout.Token));
        var data = (await reader.ReadLineAsync(timeout.Token))!;
        var line = JsonDocument.Parse(data["data: ".Length..]).RootElement;
        Assert.Equal("api", line.GetProperty("resource").GetString());
        Assert.True(line.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task Secrets_are_masked_in_the_resource_API()
    {
        var resources = await dashboard.GetAsync("/api/resources");
        var api = resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "api");
        var environment = api.GetProperty("environment");
        var raw = resources.GetRawText();

        Assert.Equal("********", environment.GetProperty("Jwt__SigningKey").GetString());
        Assert.Equal("********", environment.GetProperty("Otp__HashKey").GetString());
        Assert.Contains("Password=********", environment.GetProperty("ConnectionStrings__otpauth").GetString(), StringComparison.Ordinal);
        foreach (var secret in new[] { "Jwt__SigningKey", "Otp__HashKey" })
        {
            Assert.DoesNotContain(system.GetEnvironmentValue("api", secret), raw, StringComparison.Ordinal);
        }

        var password = new Npgsql.NpgsqlConnectionStringBuilder(system.GetEnvironmentValue("api", "ConnectionStrings__otpauth")).Password!;
        Assert.DoesNotContain(password, raw, StringComparison.Ordinal);
        Assert.Equal(system.App.OtlpEndpoint!.ToString().TrimEnd('/'), environment.GetProperty("OTEL_EXPORTER_OTLP_ENDPOINT").GetString());
    }

    [Fact]
    public async Task The_dashboard_page_is_served_with_a_content_security_policy_and_no_inline_script()
    {
        using var response = await dashboard.Http.GetAsync("/", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", html, StringComparison.Ordinal);
        using var script = await dashboard.Http.GetAsync("/app.js", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_cross_origin_POST_cannot_stop_a_resource()
    {
        // Its own small app: if the check ever broke, no resource of the shared system would be stopped.
        var builder = OtpAuth.Hosting.Testing.DistributedApplicationTestingBuilder.Create();
        OtpAuth.Hosting.Resources.RedisBuilderExtensions.AddRedis(builder.Builder, "redis");
        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        using var own = new DashboardClient(app.DashboardUrl!);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/resources/redis/stop");
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await own.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("running", (await own.GetAsync("/api/resources")).EnumerateArray()
            .Single(r => r.GetProperty("name").GetString() == "redis").GetProperty("state").GetString());
    }
}
