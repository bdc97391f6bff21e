using System.Diagnostics;
using System.Text.Json;

namespace OtpAuth.Hosting.Local;

/// <summary>
/// The Garnet server from the repository's tool manifest (<c>.config/dotnet-tools.json</c>, found from the AppHost's
/// folder upwards, as <c>dotnet tool</c> finds it): restored with <c>dotnet tool restore</c> once per machine, then run
/// from the NuGet cache as <c>dotnet GarnetServer.dll</c>.
/// </summary>
internal sealed class GarnetTool
{
    private const string PackageId = "garnet-server";

    private readonly string? _manifestPath;

    public GarnetTool(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var manifest = Path.Combine(directory.FullName, ".config", "dotnet-tools.json");
            if (File.Exists(manifest))
            {
                _manifestPath = manifest;
                return;
            }
        }
    }

    /// <summary>Whether a tool manifest pins Garnet at all (the fallback exists only then).</summary>
    public bool IsPinned => _manifestPath is not null && Version() is not null;

    /// <summary>The server's entry assembly, restoring the tool first when it is not in the NuGet cache.</summary>
    public async Task<string> GetServerAssemblyAsync(CancellationToken cancellationToken)
    {
        var version = Version() ?? throw new InvalidOperationException($"No tool manifest pins {PackageId}.");
        var repositoryRoot = Path.GetDirectoryName(Path.GetDirectoryName(_manifestPath))!;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var tools = Path.Combine(packages, PackageId, version, "tools");
        if (!Directory.Exists(tools))
        {
            using var restore = Process.Start(new ProcessStartInfo("dotnet", ["tool", "restore"]) { WorkingDirectory = repositoryRoot })
                ?? throw new InvalidOperationException("dotnet tool restore could not be started.");
            await restore.WaitForExitAsync(cancellationToken);
        }

        return Directory.Exists(tools)
            ? Directory.EnumerateFiles(tools, "GarnetServer.dll", SearchOption.AllDirectories)
                .OrderByDescending(path => path, StringComparer.Ordinal) // the newest target framework first
                .First()
            : throw new InvalidOperationException($"Garnet {version} could not be restored: run `dotnet tool restore` in {repositoryRoot}.");
    }

    private string? Version()
    {
        if (_manifestPath is null)
        {
            return null;
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(_manifestPath));
        return manifest.RootElement.GetProperty("tools").TryGetProperty(PackageId, out var tool)
            ? tool.GetProperty("version").GetString()
            : null;
    }
}
