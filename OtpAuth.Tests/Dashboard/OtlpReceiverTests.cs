using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OtpAuth.Hosting.Telemetry;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Logs;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Metrics;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Trace;
using OtpAuth.Hosting.Telemetry.Otlp.Common;
using OtpAuth.Hosting.Telemetry.Otlp.Logs;
using OtpAuth.Hosting.Telemetry.Otlp.Metrics;
using OtlpResourceMetrics = OtpAuth.Hosting.Telemetry.Otlp.Metrics.ResourceMetrics;
using OtpAuth.Hosting.Telemetry.Otlp.Trace;
using OtlpResource = OtpAuth.Hosting.Telemetry.Otlp.Resource.Resource;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// The OTLP/HTTP receiver and the store on their own: OTLP protobuf bodies in, the dashboard's records out,
/// with the caps holding. The end-to-end tests (<see cref="TelemetryTests"/>) use what the real exporter sends.
/// </summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private static readonly byte[] TraceId = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
    private readonly TelemetryStore store = new(new TelemetryLimits { MaxSpans = 3, MaxLogRecords = 2, SeriesLength = 2 });
    private OtlpHttpReceiver receiver = null!;
    private HttpClient http = null!;

    public async ValueTask InitializeAsync()
    {
        receiver = await OtlpHttpReceiver.StartAsync(store, FreePort());
        http = new HttpClient { BaseAddress = receiver.Endpoint };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_span_posted_as_OTLP_protobuf_is_listed_under_its_resource_with_hex_ids()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(SpansOf("api", NewSpan("POST /auth/login", "b7ad6b7169203331", null, Span.Types.SpanKind.Server, 0, 12_000_000),
            NewSpan("SELECT", "00f067aa0ba902b7", "b7ad6b7169203331", Span.Types.SpanKind.Client, 2_000_000, 5_000_000, ("db.system.name", "postgresql"))));

        using var response = await PostAsync("/v1/traces", request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var trace = Assert.Single(store.GetTraces());
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", trace.TraceId);
        Assert.Equal("POST /auth/login", trace.Name);
        Assert.Equal(["api"], trace.Resources);
        Assert.Equal(12, trace.DurationMs, precision: 3);
        Assert.Equal(2, trace.SpanCount);
        var detail = store.GetTrace(trace.TraceId)!;
        var child = detail.Spans.Single(s => s.Name == "SELECT");
        Assert.Equal("b7ad6b7169203331", child.ParentSpanId);
        Assert.Equal("client", child.Kind);
        Assert.Equal("postgresql", child.Attributes["db.system.name"]);
    }

    [Fact]
    public async Task A_gzip_compressed_body_is_read()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(SpansOf("web", NewSpan("GET /", "b7ad6b7169203331", null, Span.Types.SpanKind.Server, 0, 1_000_000)));
        using var zipped = new MemoryStream();
        await using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            request.WriteTo(gzip);
        }

        using var content = new ByteArrayContent(zipped.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await http.PostAsync("/v1/traces", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /", Assert.Single(store.GetTraces()).Name);
    }

    [Fact]
    public async Task The_oldest_spans_and_log_records_are_dropped_past_the_caps()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(SpansOf("api", [.. Enumerable.Range(1, 5).Select(i =>
            NewSpan($"span {i}", $"00000000000000{i:x2}", null, Span.Types.SpanKind.Internal, (ulong)i * 1_000_000, (ulong)i * 1_000_000 + 10))]));
        using var _ = await PostAsync("/v1/traces", request);

        var logs = new ExportLogsServiceRequest();
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "OtpAuth.Api.Auth.AuthService" } };
        scope.LogRecords.Add(Enumerable.Range(1, 3).Select(i => new LogRecord { TimeUnixNano = (ulong)i, SeverityNumber = 9, Body = Text($"record {i}") }));
        logs.ResourceLogs.Add(new ResourceLogs { Resource = ResourceNamed("api"), ScopeLogs = { scope } });
        using var __ = await PostAsync("/v1/logs", logs);

        var spans = store.GetTrace("0af7651916cd43dd8448eb211c80319c")!.Spans;
        Assert.Equal(["span 3", "span 4", "span 5"], spans.Select(s => s.Name));
        Assert.Equal(["record 3", "record 2"], store.GetLogs(new LogQuery()).Select(l => l.Message)); // newest first
    }

    [Fact]
    public async Task Log_records_keep_level_category_attributes_and_trace_context_and_filter_by_them()
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "OtpAuth.Api.Auth.AuthService" } };
        scope.LogRecords.Add(new LogRecord
        {
            TimeUnixNano = 1_700_000_000_000_000_000,
            SeverityNumber = 13,
            SeverityText = "Warning",
            Body = Text("Could not email a verification code to user 42"),
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("b7ad6b7169203331")),
            Attributes = { new KeyValue { Key = "UserId", Value = new AnyValue { IntValue = 42 } } },
        });
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = 1_700_000_000_000_000_001, SeverityNumber = 9, Body = Text("Verified user 43") });
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(new ResourceLogs { Resource = ResourceNamed("api"), ScopeLogs = { scope } });

        using var _ = await PostAsync("/v1/logs", request);

        var warning = Assert.Single(store.GetLogs(new LogQuery(MinLevel: "warning")));
        Assert.Equal("warning", warning.Level);
        Assert.Equal("api", warning.Resource);
        Assert.Equal("OtpAuth.Api.Auth.AuthService", warning.Category);
        Assert.Equal("42", warning.Attributes["UserId"]);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", warning.TraceId);
        Assert.Equal("b7ad6b7169203331", warning.SpanId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), warning.Timestamp);
        Assert.Equal("Verified user 43", Assert.Single(store.GetLogs(new LogQuery(Text: "verified"))).Message);
        Assert.Empty(store.GetLogs(new LogQuery(Resource: "web")));
    }

    [Fact]
    public async Task Counters_add_up_their_attribute_sets_and_histograms_give_percentiles()
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "OtpAuth.Api" } };
        var counter = new Metric { Name = "otpauth.registrations", Unit = "{registration}", Sum = new Sum { IsMonotonic = true, AggregationTemporality = AggregationTemporality.Cumulative } };
        counter.Sum.DataPoints.Add(new NumberDataPoint { AsInt = 3, TimeUnixNano = 1, Attributes = { Attribute("result", "ok") } });
        counter.Sum.DataPoints.Add(new NumberDataPoint { AsInt = 1, TimeUnixNano = 1, Attributes = { Attribute("result", "conflict") } });
        var histogram = new Metric { Name = "http.server.request.duration", Unit = "s", Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative } };
        var point = new HistogramDataPoint { Count = 10, Sum = 1.9, Min = 0.01, Max = 0.9, TimeUnixNano = 1 };
        point.ExplicitBounds.Add([0.1, 0.5, 1]);
        point.BucketCounts.Add([5, 3, 2, 0]);
        histogram.Histogram.DataPoints.Add(point);
        scope.Metrics.Add([counter, histogram]);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(new OtlpResourceMetrics { Resource = ResourceNamed("api"), ScopeMetrics = { scope } });

        using var _ = await PostAsync("/v1/metrics", request);

        var instruments = Assert.Single(store.GetMetrics()).Instruments;
        var registrations = instruments.Single(i => i.Name == "otpauth.registrations");
        Assert.Equal("counter", registrations.Type);
        Assert.Equal("OtpAuth.Api", registrations.Meter);
        Assert.Equal(4, registrations.Value);
        Assert.Equal(4, Assert.Single(registrations.Series).Value);
        var duration = instruments.Single(i => i.Name == "http.server.request.duration").Histogram!;
        Assert.Equal(10UL, duration.Count);
        Assert.Equal(0.1, duration.P50!.Value, precision: 6); // the 5th of 10 values ends the first bucket
        Assert.InRange(duration.P90!.Value, 0.5, 0.9);
    }

    [Fact]
    public async Task A_JSON_body_is_refused_with_a_hint_to_use_protobuf()
    {
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

        using var response = await http.PostAsync("/v1/traces", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("http/protobuf", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, IMessage message)
    {
        using var content = new ByteArrayContent(message.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await http.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    private static ResourceSpans SpansOf(string resource, params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
        scope.Spans.Add(spans);
        return new ResourceSpans { Resource = ResourceNamed(resource), ScopeSpans = { scope } };
    }

    private static Span NewSpan(string name, string spanId, string? parent, Span.Types.SpanKind kind, ulong start, ulong end, params (string Key, string Value)[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(spanId)),
            Name = name,
            Kind = kind,
            StartTimeUnixNano = 1_700_000_000_000_000_000 + start,
            EndTimeUnixNano = 1_700_000_000_000_000_000 + end,
        };
        if (parent is not null)
        {
            span.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(parent));
        }

        span.Attributes.Add(attributes.Select(a => Attribute(a.Key, a.Value)));
        return span;
    }

    private static OtlpResource ResourceNamed(string name) => new()
    {
        Attributes = { Attribute("service.name", name.Split('-')[0]), Attribute("service.instance.id", name) },
    };

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = Text(value) };

    private static AnyValue Text(string value) => new() { StringValue = value };

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
