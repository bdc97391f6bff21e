namespace OtpAuth.Hosting.Telemetry;

/// <summary>The query of <c>GET /api/logs</c>: every filter optional; <see cref="MinLevel"/> keeps that level and above.</summary>
public sealed record LogQuery(string? Resource = null, string? MinLevel = null, string? Text = null, string? TraceId = null, long? After = null, int Limit = 500);

/// <summary>
/// The telemetry the AppHost received over OTLP, in memory with fixed caps (<see cref="TelemetryLimits"/>),
/// oldest dropped first. Resources are named as in the resource API (<c>service.instance.id</c>, which the
/// AppHost sets to the instance name, else <c>service.name</c>).
/// </summary>
public sealed class TelemetryStore(TelemetryLimits? limits = null)
{
    private static readonly string[] Levels = ["trace", "debug", "information", "warning", "error", "critical"];

    private readonly TelemetryLimits _limits = limits ?? new TelemetryLimits();
    private readonly Lock _lock = new();
    private readonly Queue<SpanRecord> _spans = new();
    private readonly Dictionary<string, List<SpanRecord>> _traces = [];
    private readonly Queue<LogRecordEntry> _logs = new();
    private readonly Dictionary<string, Dictionary<string, InstrumentState>> _metrics = [];
    private long _logSequence;

    public void AddSpans(IEnumerable<SpanRecord> spans)
    {
        lock (_lock)
        {
            foreach (var span in spans)
            {
                _spans.Enqueue(span);
                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    _traces[span.TraceId] = trace = [];
                }

                trace.Add(span);
            }

            while (_spans.Count > _limits.MaxSpans)
            {
                var dropped = _spans.Dequeue();
                var trace = _traces[dropped.TraceId];
                trace.Remove(dropped);
                if (trace.Count == 0)
                {
                    _traces.Remove(dropped.TraceId);
                }
            }
        }
    }

    /// <summary>Newest traces first; <paramref name="resource"/> keeps traces that touch it, <paramref name="text"/> matches span names.</summary>
    public IReadOnlyList<TraceSummary> GetTraces(string? resource = null, string? text = null, int limit = 100)
    {
        lock (_lock)
        {
            return [.. _traces.Values
                .Where(spans => resource is null || spans.Any(s => s.Resource == resource))
                .Where(spans => string.IsNullOrEmpty(text) || spans.Any(s => s.Name.Contains(text, StringComparison.OrdinalIgnoreCase)))
                .Select(Summarize)
                .OrderByDescending(t => t.Start)
                .Take(limit)];
        }
    }

    public TraceDetail? GetTrace(string traceId)
    {
        lock (_lock)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var spans)
                ? new TraceDetail(Summarize(spans), [.. spans.OrderBy(s => s.Start)])
                : null;
        }
    }

    public void AddLogs(IEnumerable<LogRecordEntry> records)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                _logs.Enqueue(record with { Sequence = ++_logSequence });
            }

            while (_logs.Count > _limits.MaxLogRecords)
            {
                _logs.Dequeue();
            }
        }
    }

    /// <summary>Newest records first, at most <see cref="LogQuery.Limit"/>.</summary>
    public IReadOnlyList<LogRecordEntry> GetLogs(LogQuery query)
    {
        var minLevel = query.MinLevel is { Length: > 0 } ? Array.IndexOf(Levels, query.MinLevel.ToLowerInvariant()) : -1;
        lock (_lock)
        {
            return [.. _logs.Reverse()
                .Where(l => query.After is null || l.Sequence > query.After)
                .Where(l => query.Resource is null || l.Resource == query.Resource)
                .Where(l => minLevel < 0 || Array.IndexOf(Levels, l.Level) >= minLevel)
                .Where(l => query.TraceId is null || string.Equals(l.TraceId, query.TraceId, StringComparison.OrdinalIgnoreCase))
                .Where(l => string.IsNullOrEmpty(query.Text)
                    || l.Message.Contains(query.Text, StringComparison.OrdinalIgnoreCase)
                    || l.Category.Contains(query.Text, StringComparison.OrdinalIgnoreCase)
                    || l.Attributes.Values.Any(v => v.Contains(query.Text, StringComparison.OrdinalIgnoreCase)))
                .Take(Math.Clamp(query.Limit, 1, _limits.MaxLogRecords))];
        }
    }

    internal void RecordNumbers(string resource, MetricInfo metric, IReadOnlyList<NumberPoint> points, bool delta, DateTimeOffset time)
    {
        lock (_lock)
        {
            Instrument(resource, metric)?.Record(points, delta, time);
        }
    }

    internal void RecordHistograms(string resource, MetricInfo metric, IReadOnlyList<HistogramPoint> points, bool delta, DateTimeOffset time)
    {
        lock (_lock)
        {
            Instrument(resource, metric)?.Record(points, delta, time);
        }
    }

    /// <summary>Per resource, its instruments sorted by meter and name; <paramref name="name"/> keeps one instrument.</summary>
    public IReadOnlyList<ResourceMetrics> GetMetrics(string? resource = null, string? name = null)
    {
        lock (_lock)
        {
            return [.. _metrics
                .Where(r => resource is null || r.Key == resource)
                .OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => new ResourceMetrics(r.Key, [.. r.Value.Values
                    .Select(i => i.Snapshot())
                    .Where(i => name is null || i.Name == name)
                    .OrderBy(i => i.Meter, StringComparer.Ordinal)
                    .ThenBy(i => i.Name, StringComparer.Ordinal)]))];
        }
    }

    /// <summary>The resources anything was received from, for the views' filters.</summary>
    public IReadOnlyList<string> GetResources()
    {
        lock (_lock)
        {
            return [.. _spans.Select(s => s.Resource).Concat(_logs.Select(l => l.Resource)).Concat(_metrics.Keys)
                .Distinct().Order(StringComparer.Ordinal)];
        }
    }

    private InstrumentState? Instrument(string resource, MetricInfo metric)
    {
        if (!_metrics.TryGetValue(resource, out var instruments))
        {
            _metrics[resource] = instruments = [];
        }

        var key = $"{metric.Meter}\u001f{metric.Name}";
        if (!instruments.TryGetValue(key, out var instrument))
        {
            if (instruments.Count >= _limits.MaxInstrumentsPerResource)
            {
                return null;
            }

            instruments[key] = instrument = new InstrumentState(metric.Name, metric.Meter, metric.Description, metric.Unit, metric.Type, _limits);
        }

        return instrument;
    }

    private static TraceSummary Summarize(List<SpanRecord> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        // The root is the span without a parent; while it has not arrived, the earliest span whose parent is unknown stands in.
        var root = spans.Where(s => s.ParentSpanId is null).MinBy(s => s.Start)
            ?? spans.Where(s => !ids.Contains(s.ParentSpanId!)).MinBy(s => s.Start)
            ?? spans[0];
        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);
        var errors = spans.Count(s => s.Status == "error");
        return new TraceSummary(
            root.TraceId,
            root.Name,
            [.. spans.OrderBy(s => s.Start).Select(s => s.Resource).Distinct()],
            start,
            (end - start).TotalMilliseconds,
            errors > 0 ? "error" : root.Status,
            spans.Count,
            errors);
    }
}

internal sealed record MetricInfo(string Name, string Meter, string Description, string Unit, string Type);
