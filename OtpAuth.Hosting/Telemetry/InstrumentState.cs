namespace OtpAuth.Hosting.Telemetry;

internal sealed record NumberPoint(IReadOnlyDictionary<string, string> Attributes, double Value);

internal sealed record HistogramPoint(
    IReadOnlyDictionary<string, string> Attributes, ulong Count, double Sum, double? Min, double? Max,
    IReadOnlyList<double> Bounds, IReadOnlyList<ulong> BucketCounts);

/// <summary>
/// One instrument of one resource: the latest value of each attribute set and a bounded series for the chart.
/// Cumulative exports (the .NET SDK's default) replace a set's value; delta exports are added up.
/// </summary>
internal sealed class InstrumentState(string name, string meter, string description, string unit, string type, TelemetryLimits limits)
{
    private readonly Dictionary<string, NumberPoint> _numbers = [];
    private readonly Dictionary<string, HistogramPoint> _histograms = [];
    private readonly Queue<SeriesPoint> _series = new();
    private ulong[] _previousBuckets = [];

    public void Record(IEnumerable<NumberPoint> points, bool delta, DateTimeOffset time)
    {
        foreach (var point in points)
        {
            var key = KeyOf(point.Attributes);
            if (!_numbers.TryGetValue(key, out var current) && _numbers.Count >= limits.MaxPointsPerInstrument)
            {
                continue;
            }

            _numbers[key] = delta && current is not null ? point with { Value = current.Value + point.Value } : point;
        }

        AddToSeries(time, _numbers.Values.Sum(p => p.Value));
    }

    public void Record(IEnumerable<HistogramPoint> points, bool delta, DateTimeOffset time)
    {
        foreach (var point in points)
        {
            var key = KeyOf(point.Attributes);
            if (!_histograms.TryGetValue(key, out var current) && _histograms.Count >= limits.MaxPointsPerInstrument)
            {
                continue;
            }

            _histograms[key] = delta && current is not null ? Add(current, point) : point;
        }

        // The chart shows each interval's p90 (what requests took lately), not the lifetime's.
        var (bounds, buckets) = Merged();
        if (buckets.Length == _previousBuckets.Length || _previousBuckets.Length == 0)
        {
            var window = _previousBuckets.Length == 0 ? buckets : [.. buckets.Select((c, i) => c - Math.Min(c, _previousBuckets[i]))];
            var observed = _histograms.Values.ToList();
            if (Percentile(bounds, window, 0.9, observed.Min(p => p.Min), observed.Max(p => p.Max)) is { } p90)
            {
                AddToSeries(time, p90);
            }
        }

        _previousBuckets = buckets;
    }

    public InstrumentSnapshot Snapshot()
    {
        if (type == "histogram")
        {
            var points = _histograms.Values.Select(p => new DataPointSnapshot(p.Attributes, null, Summarize(p))).ToList();
            var (bounds, buckets) = Merged();
            var all = _histograms.Values.ToList();
            var total = all.Count == 0 ? null : Summarize(new HistogramPoint(
                new Dictionary<string, string>(),
                (ulong)all.Sum(p => (decimal)p.Count),
                all.Sum(p => p.Sum),
                all.Min(p => p.Min),
                all.Max(p => p.Max),
                bounds,
                buckets));
            return new InstrumentSnapshot(name, meter, description, unit, type, null, total, points, [.. _series]);
        }

        return new InstrumentSnapshot(
            name, meter, description, unit, type, _numbers.Values.Sum(p => p.Value), null,
            [.. _numbers.Values.Select(p => new DataPointSnapshot(p.Attributes, p.Value, null))], [.. _series]);
    }

    private void AddToSeries(DateTimeOffset time, double value)
    {
        _series.Enqueue(new SeriesPoint(time, value));
        while (_series.Count > limits.SeriesLength)
        {
            _series.Dequeue();
        }
    }

    private (IReadOnlyList<double> Bounds, ulong[] Buckets) Merged()
    {
        var first = _histograms.Values.FirstOrDefault();
        if (first is null)
        {
            return ([], []);
        }

        var buckets = new ulong[first.BucketCounts.Count];
        foreach (var point in _histograms.Values.Where(p => p.BucketCounts.Count == buckets.Length))
        {
            for (var i = 0; i < buckets.Length; i++)
            {
                buckets[i] += point.BucketCounts[i];
            }
        }

        return (first.Bounds, buckets);
    }

    private static HistogramPoint Add(HistogramPoint a, HistogramPoint b) => b with
    {
        Count = a.Count + b.Count,
        Sum = a.Sum + b.Sum,
        Min = a.Min is null ? b.Min : b.Min is null ? a.Min : Math.Min(a.Min.Value, b.Min.Value),
        Max = a.Max is null ? b.Max : b.Max is null ? a.Max : Math.Max(a.Max.Value, b.Max.Value),
        BucketCounts = a.BucketCounts.Count == b.BucketCounts.Count ? [.. a.BucketCounts.Zip(b.BucketCounts, (x, y) => x + y)] : b.BucketCounts,
    };

    private static HistogramSummary Summarize(HistogramPoint p) => new(
        p.Count, p.Sum, p.Min, p.Max,
        Percentile(p.Bounds, p.BucketCounts, 0.5, p.Min, p.Max),
        Percentile(p.Bounds, p.BucketCounts, 0.9, p.Min, p.Max),
        Percentile(p.Bounds, p.BucketCounts, 0.99, p.Min, p.Max));

    /// <summary>
    /// Estimates a quantile from explicit buckets by interpolating inside the bucket that holds it, as Prometheus'
    /// histogram_quantile does; the open-ended first and last buckets are closed with the observed min and max.
    /// </summary>
    internal static double? Percentile(IReadOnlyList<double> bounds, IReadOnlyList<ulong> buckets, double quantile, double? min, double? max)
    {
        var count = buckets.Aggregate(0UL, (sum, c) => sum + c);
        if (count == 0 || buckets.Count != bounds.Count + 1)
        {
            return null;
        }

        var rank = quantile * count;
        var seen = 0UL;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i] == 0 || seen + buckets[i] < rank)
            {
                seen += buckets[i];
                continue;
            }

            var lower = i == 0 ? Math.Min(min ?? 0, bounds.Count > 0 ? bounds[0] : 0) : bounds[i - 1];
            var upper = i < bounds.Count ? bounds[i] : Math.Max(max ?? lower, lower);
            var estimate = lower + ((upper - lower) * (rank - seen) / buckets[i]);
            return Math.Max(min ?? double.MinValue, Math.Min(max ?? double.MaxValue, estimate)); // never outside what was observed
        }

        return max;
    }

    private static string KeyOf(IReadOnlyDictionary<string, string> attributes) =>
        string.Join('\u001f', attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
}
