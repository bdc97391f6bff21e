using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Logs;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Metrics;
using OtpAuth.Hosting.Telemetry.Otlp.Collector.Trace;
using OtpAuth.Hosting.Telemetry.Otlp.Common;
using OtpAuth.Hosting.Telemetry.Otlp.Metrics;
using OtpAuth.Hosting.Telemetry.Otlp.Trace;

namespace OtpAuth.Hosting.Telemetry;

/// <summary>Turns OTLP export requests into the store's records (hex ids, UTC times, attributes as text).</summary>
internal static class OtlpConverter
{
    public static void Store(ExportTraceServiceRequest request, TelemetryStore store)
    {
        var spans = new List<SpanRecord>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = ResourceName(resourceSpans.Resource?.Attributes);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                spans.AddRange(scopeSpans.Spans.Select(span => new SpanRecord(
                    Hex(span.TraceId),
                    Hex(span.SpanId),
                    span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId),
                    span.Name,
                    Kind(span.Kind),
                    resource,
                    scope,
                    Time(span.StartTimeUnixNano),
                    span.EndTimeUnixNano > span.StartTimeUnixNano ? (span.EndTimeUnixNano - span.StartTimeUnixNano) / 1e6 : 0,
                    span.Status?.Code switch
                    {
                        Status.Types.StatusCode.Error => "error",
                        Status.Types.StatusCode.Ok => "ok",
                        _ => "unset",
                    },
                    string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
                    Attributes(span.Attributes),
                    [.. span.Events.Select(e => new SpanEventRecord(e.Name, Time(e.TimeUnixNano), Attributes(e.Attributes)))])));
            }
        }

        store.AddSpans(spans);
    }

    public static void Store(ExportLogsServiceRequest request, TelemetryStore store)
    {
        var records = new List<LogRecordEntry>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = ResourceName(resourceLogs.Resource?.Attributes);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var category = scopeLogs.Scope?.Name ?? "";
                records.AddRange(scopeLogs.LogRecords.Select(log => new LogRecordEntry(
                    0,
                    Time(log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano),
                    Level(log.SeverityNumber),
                    log.SeverityNumber,
                    resource,
                    category,
                    log.Body is null ? "" : Text(log.Body),
                    Attributes(log.Attributes),
                    log.TraceId.IsEmpty ? null : Hex(log.TraceId),
                    log.SpanId.IsEmpty ? null : Hex(log.SpanId))));
            }
        }

        store.AddLogs(records);
    }

    public static void Store(ExportMetricsServiceRequest request, TelemetryStore store)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = ResourceName(resourceMetrics.Resource?.Attributes);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var meter = scopeMetrics.Scope?.Name ?? "";
                foreach (var metric in scopeMetrics.Metrics)
                {
                    Store(store, resource, meter, metric);
                }
            }
        }
    }

    private static void Store(TelemetryStore store, string resource, string meter, Metric metric)
    {
        MetricInfo Info(string type) => new(metric.Name, meter, metric.Description, metric.Unit, type);
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Sum:
                store.RecordNumbers(resource, Info(metric.Sum.IsMonotonic ? "counter" : "updowncounter"),
                    Numbers(metric.Sum.DataPoints), metric.Sum.AggregationTemporality == AggregationTemporality.Delta, Latest(metric.Sum.DataPoints.Select(p => p.TimeUnixNano)));
                break;
            case Metric.DataOneofCase.Gauge:
                store.RecordNumbers(resource, Info("gauge"), Numbers(metric.Gauge.DataPoints), delta: false, Latest(metric.Gauge.DataPoints.Select(p => p.TimeUnixNano)));
                break;
            case Metric.DataOneofCase.Histogram:
                store.RecordHistograms(resource, Info("histogram"),
                    [.. metric.Histogram.DataPoints.Select(p => new HistogramPoint(
                        Attributes(p.Attributes), p.Count, p.HasSum ? p.Sum : 0, p.HasMin ? p.Min : null, p.HasMax ? p.Max : null,
                        [.. p.ExplicitBounds], [.. p.BucketCounts]))],
                    metric.Histogram.AggregationTemporality == AggregationTemporality.Delta,
                    Latest(metric.Histogram.DataPoints.Select(p => p.TimeUnixNano)));
                break;
            default:
                break; // exponential histograms and summaries: not sent by the .NET SDK unless asked for
        }
    }

    private static List<NumberPoint> Numbers(RepeatedField<NumberDataPoint> points) =>
        [.. points.Select(p => new NumberPoint(Attributes(p.Attributes), p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble))];

    private static DateTimeOffset Latest(IEnumerable<ulong> times)
    {
        var latest = times.DefaultIfEmpty(0UL).Max();
        return latest == 0 ? DateTimeOffset.UtcNow : Time(latest);
    }

    /// <summary>The name the resource API uses: the AppHost sets <c>service.instance.id</c> to it (api, api-0, …).</summary>
    internal static string ResourceName(RepeatedField<KeyValue>? attributes)
    {
        string? Find(string key) => attributes?.FirstOrDefault(a => a.Key == key)?.Value is { } value ? Text(value) : null;
        return Find("service.instance.id") is { Length: > 0 } instance ? instance
            : Find("service.name") is { Length: > 0 } service ? service
            : "unknown";
    }

    private static Dictionary<string, string> Attributes(RepeatedField<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>(attributes.Count);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = attribute.Value is null ? "" : Text(attribute.Value);
        }

        return result;
    }

    private static string Text(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {(kv.Value is null ? "" : Text(kv.Value))}")) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => "",
    };

    private static string Kind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => "server",
        Span.Types.SpanKind.Client => "client",
        Span.Types.SpanKind.Producer => "producer",
        Span.Types.SpanKind.Consumer => "consumer",
        _ => "internal",
    };

    /// <summary>OTLP severity numbers in the names of .NET's log levels: 1–4 trace, 5–8 debug, 9–12 information, …</summary>
    internal static string Level(int severityNumber) => severityNumber switch
    {
        <= 0 => "information",
        <= 4 => "trace",
        <= 8 => "debug",
        <= 12 => "information",
        <= 16 => "warning",
        <= 20 => "error",
        _ => "critical",
    };

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static DateTimeOffset Time(ulong unixNano) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));
}
