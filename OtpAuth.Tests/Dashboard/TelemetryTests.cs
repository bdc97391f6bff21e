using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// What the projects send to the AppHost's OTLP receiver, read back through the dashboard's JSON after a real
/// register → verify → login run: traces across the Api, PostgreSQL and Redis, log records with their trace id, metrics.
/// </summary>
public sealed class TelemetryTests(OtpAuthSystem system) : IDisposable
{
    private readonly DashboardClient dashboard = new(system.App.DashboardUrl!);

    public void Dispose() => dashboard.Dispose();

    [Fact]
    public void Every_project_is_told_to_export_OTLP_to_the_AppHost_quickly()
    {
        foreach (var project in new[] { "api", "web" })
        {
            Assert.Equal(system.App.OtlpEndpoint!.ToString().TrimEnd('/'), system.GetEnvironmentValue(project, "OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal("http/protobuf", system.GetEnvironmentValue(project, "OTEL_EXPORTER_OTLP_PROTOCOL"));
            Assert.Equal("1000", system.GetEnvironmentValue(project, "OTEL_BSP_SCHEDULE_DELAY"));
            Assert.Equal("1000", system.GetEnvironmentValue(project, "OTEL_BLRP_SCHEDULE_DELAY"));
            Assert.Equal("1000", system.GetEnvironmentValue(project, "OTEL_METRIC_EXPORT_INTERVAL"));
            Assert.Equal(project, system.GetEnvironmentValue(project, "OTEL_SERVICE_NAME"));
        }
    }

    [Fact]
    public async Task After_register_verify_login_a_trace_holds_the_api_request_and_its_PostgreSQL_Redis_and_SMTP_calls()
    {
        var flow = await OtpAuthFlow.RunAsync(system);

        // Each request is its own trace; the one that registers writes the user (PostgreSQL), the code (Redis) and
        // sends the mail (SMTP).
        var trace = await dashboard.PollAsync($"/api/traces/{flow.RegisterTraceId}",
            t => Spans(t).Any(IsApiRequest) && Spans(t).Any(s => IsCallTo(s, "postgresql")) && Spans(t).Any(s => IsCallTo(s, "redis"))
                && Spans(t).Any(IsSmtpSend),
            "the registration's trace with its api request, PostgreSQL, Redis and SMTP spans");

        var request = Spans(trace).First(IsApiRequest);
        Assert.Equal("POST /auth/register", request.GetProperty("name").GetString());
        var requestSpanId = request.GetProperty("spanId").GetString();
        var database = Spans(trace).First(s => IsCallTo(s, "postgresql"));
        Assert.True(database.GetProperty("durationMs").GetDouble() >= 0);
        Assert.Contains(Spans(trace), s => s.GetProperty("parentSpanId").GetString() == requestSpanId);
        var smtp = Spans(trace).First(IsSmtpSend);
        Assert.Equal("client", smtp.GetProperty("kind").GetString());
        Assert.DoesNotContain(flow.Email, smtp.GetProperty("attributes").GetRawText(), StringComparison.OrdinalIgnoreCase);

        var list = await dashboard.GetAsync("/api/traces?resource=api&limit=1000");
        var summary = list.EnumerateArray().Single(t => t.GetProperty("traceId").GetString() == flow.RegisterTraceId);
        Assert.Equal("POST /auth/register", summary.GetProperty("name").GetString());
        Assert.True(summary.GetProperty("spanCount").GetInt32() >= 3);
        Assert.Contains("api", summary.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        Assert.NotEqual("error", summary.GetProperty("status").GetString());

        await dashboard.PollAsync($"/api/traces/{flow.LoginTraceId}", t => Spans(t).Any(s => s.GetProperty("name").GetString() == "POST /auth/login"),
            "the login's trace");
    }

    [Fact]
    public async Task Structured_logs_from_the_api_carry_the_trace_id_of_their_request()
    {
        var flow = await OtpAuthFlow.RunAsync(system);

        var records = await dashboard.PollAsync($"/api/logs?resource=api&traceId={flow.RegisterTraceId}",
            logs => logs.GetArrayLength() > 0, "a log record of the registration request");

        var record = records[0];
        Assert.Equal(flow.RegisterTraceId, record.GetProperty("traceId").GetString());
        Assert.Equal("api", record.GetProperty("resource").GetString());
        Assert.Matches("^[0-9a-f]{16}$", record.GetProperty("spanId").GetString()!);
        Assert.False(string.IsNullOrWhiteSpace(record.GetProperty("message").GetString()));
        Assert.Contains(record.GetProperty("level").GetString(), new[] { "trace", "debug", "information", "warning", "error", "critical" });
        Assert.DoesNotContain(flow.Email, records.GetRawText(), StringComparison.OrdinalIgnoreCase); // the Api logs user ids, not addresses

        var filtered = await dashboard.GetAsync("/api/logs?resource=api&level=warning&limit=1000");
        Assert.All(filtered.EnumerateArray(), r => Assert.Contains(r.GetProperty("level").GetString(), new[] { "warning", "error", "critical" }));
    }

    [Fact]
    public async Task The_metrics_hold_the_api_request_durations_and_the_registration_counter()
    {
        await OtpAuthFlow.RunAsync(system);

        // Exported every second: wait for an export that holds this flow's requests and a point of the series.
        var metrics = await dashboard.PollAsync("/api/metrics?resource=api",
            m => Instruments(m).Any(i => i.GetProperty("name").GetString() == "http.server.request.duration"
                && i.GetProperty("histogram").GetProperty("count").GetInt64() >= 3
                && i.GetProperty("series").GetArrayLength() >= 1),
            "the api's request duration histogram with this flow's requests");
        var durations = Instruments(metrics).First(i => i.GetProperty("name").GetString() == "http.server.request.duration");
        Assert.Equal("histogram", durations.GetProperty("type").GetString());
        Assert.Equal("s", durations.GetProperty("unit").GetString());
        Assert.True(durations.GetProperty("histogram").GetProperty("count").GetInt64() >= 3);
        Assert.True(durations.GetProperty("series").GetArrayLength() >= 1);

        // The Api's own meter (issue 5): counted once per registration.
        var registrations = await dashboard.PollAsync("/api/metrics?resource=api&name=otpauth.registrations",
            m => Instruments(m).Any(i => i.GetProperty("value").GetDouble() >= 1), "the otpauth.registrations counter of meter OtpAuth.Api");
        var counter = Instruments(registrations).Single();
        Assert.Equal("OtpAuth.Api", counter.GetProperty("meter").GetString());
        Assert.Equal("counter", counter.GetProperty("type").GetString());
    }

    private static JsonElement.ArrayEnumerator Spans(JsonElement trace) => trace.GetProperty("spans").EnumerateArray();

    private static IEnumerable<JsonElement> Instruments(JsonElement metrics) =>
        metrics.EnumerateArray().SelectMany(r => r.GetProperty("instruments").EnumerateArray());

    private static bool IsSmtpSend(JsonElement span) =>
        span.GetProperty("resource").GetString() == "api" && span.GetProperty("name").GetString() == "smtp send";

    private static bool IsApiRequest(JsonElement span) =>
        span.GetProperty("resource").GetString() == "api" && span.GetProperty("kind").GetString() == "server";

    /// <summary>A client span to a database, by the OpenTelemetry semantic conventions (old or new attribute name) or its library's source.</summary>
    private static bool IsCallTo(JsonElement span, string system)
    {
        var attributes = span.GetProperty("attributes");
        string? Attribute(string name) => attributes.TryGetProperty(name, out var value) ? value.GetString() : null;
        var scope = span.GetProperty("scope").GetString() ?? "";
        return span.GetProperty("resource").GetString() == "api"
            && (string.Equals(Attribute("db.system.name"), system, StringComparison.OrdinalIgnoreCase)
                || string.Equals(Attribute("db.system"), system, StringComparison.OrdinalIgnoreCase)
                || scope.Contains(system == "postgresql" ? "Npgsql" : "Redis", StringComparison.OrdinalIgnoreCase));
    }
}
