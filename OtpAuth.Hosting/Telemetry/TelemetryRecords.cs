namespace OtpAuth.Hosting.Telemetry;

/// <summary>One span as the dashboard shows it: ids in lower-case hex, times in UTC, attributes as text.</summary>
public sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Resource,
    string Scope,
    DateTimeOffset Start,
    double DurationMs,
    string Status,
    string? StatusMessage,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<SpanEventRecord> Events)
{
    public DateTimeOffset End => Start.AddMilliseconds(DurationMs);
}

public sealed record SpanEventRecord(string Name, DateTimeOffset Timestamp, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One trace in the list: its root span's name, where it went, how long it took, whether it failed.</summary>
public sealed record TraceSummary(
    string TraceId,
    string Name,
    IReadOnlyList<string> Resources,
    DateTimeOffset Start,
    double DurationMs,
    string Status,
    int SpanCount,
    int ErrorCount);

public sealed record TraceDetail(TraceSummary Trace, IReadOnlyList<SpanRecord> Spans);

/// <summary>One structured log record; <see cref="Sequence"/> grows by one per record received (for "newer than" queries).</summary>
public sealed record LogRecordEntry(
    long Sequence,
    DateTimeOffset Timestamp,
    string Level,
    int SeverityNumber,
    string Resource,
    string Category,
    string Message,
    IReadOnlyDictionary<string, string> Attributes,
    string? TraceId,
    string? SpanId);

/// <summary>What one resource reports: its instruments, each with its latest values and a short series.</summary>
public sealed record ResourceMetrics(string Resource, IReadOnlyList<InstrumentSnapshot> Instruments);

/// <summary>
/// An instrument's latest state. <see cref="Value"/> is the total over its attribute sets (counters, up-down counters,
/// gauges); histograms have <see cref="Histogram"/> instead, and their series is the p90 of each export interval.
/// </summary>
public sealed record InstrumentSnapshot(
    string Name,
    string Meter,
    string Description,
    string Unit,
    string Type,
    double? Value,
    HistogramSummary? Histogram,
    IReadOnlyList<DataPointSnapshot> Points,
    IReadOnlyList<SeriesPoint> Series);

public sealed record DataPointSnapshot(IReadOnlyDictionary<string, string> Attributes, double? Value, HistogramSummary? Histogram);

public sealed record HistogramSummary(ulong Count, double Sum, double? Min, double? Max, double? P50, double? P90, double? P99);

public sealed record SeriesPoint(DateTimeOffset Time, double Value);
