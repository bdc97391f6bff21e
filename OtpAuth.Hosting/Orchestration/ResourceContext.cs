using Microsoft.Extensions.Configuration;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>What a resource kind may use while it prepares to start: configuration, state folder, tools, its log.</summary>
internal sealed class ResourceContext(
    IConfiguration configuration,
    StateFolder state,
    ExecutableLocator executables,
    ToolInstaller tools,
    string dotnetHost,
    Action<string> log)
{
    public IConfiguration Configuration { get; } = configuration;

    public string StateDirectory => state.Path;

    public ExecutableLocator Executables { get; } = executables;

    public ToolInstaller Tools { get; } = tools;

    public string DotnetHost { get; } = dotnetHost;

    public bool IsRoot { get; } = Signals.IsRoot;

    public void Log(string line) => log(line);

    /// <summary>A container volume name unique to this checkout, e.g. <c>otpauth-1a2b3c4d-postgres-data</c>.</summary>
    public string VolumeName(string suffix) => $"otpauth-{state.Id}-{suffix}";

    public Task RunToCompletionAsync(ProcessSpec spec, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(spec, log, cancellationToken);
}
