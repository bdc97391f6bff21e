using OtpAuth.Hosting.Orchestration;

namespace OtpAuth.Hosting.Runtimes;

/// <summary>How to run one OS process: what, with which arguments, as whom, and how to ask it to stop.</summary>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? WorkingDirectory = null,
    string? RunAsUser = null,
    int StopSignal = Signals.SIGTERM);
