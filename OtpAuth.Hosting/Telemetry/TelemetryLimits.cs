namespace OtpAuth.Hosting.Telemetry;

/// <summary>
/// How much telemetry the AppHost keeps in memory. Everything is bounded so a long session (or a load test)
/// cannot grow the AppHost without end: past a cap the oldest data go first.
/// </summary>
public sealed record TelemetryLimits
{
    public int MaxSpans { get; init; } = 10_000;

    public int MaxLogRecords { get; init; } = 10_000;

    public int MaxInstrumentsPerResource { get; init; } = 300;

    /// <summary>Attribute sets (time series) kept per instrument; new sets past this are ignored, as an SDK's cardinality limit does.</summary>
    public int MaxPointsPerInstrument { get; init; } = 100;

    /// <summary>Values kept for an instrument's chart: five minutes at the one-second export interval the AppHost asks for.</summary>
    public int SeriesLength { get; init; } = 300;
}
