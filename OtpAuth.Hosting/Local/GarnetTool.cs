using System.Diagnostics;
using System.Text.Json;

namespace OtpAuth.Hosting.Local;

/// <summary>
/// The Garnet server from the repository's tool manifest (<c>.config/dotnet-tools.json</c>): restored with
/// <c>dotnet tool restore</c> once per machine, then run from the NuGet cache as <c>dotnet GarnetServer.dll</c>.
/// </summary>
internal sealed class GarnetTool(string repositoryRoot)
{
    private const string PackageId = "garnet-server";

    public string ManifestPath => Path.Combine(repositoryRoot, ".config", "dotnet-tools.json");

    /// <summary>Whether the manifest pins Garnet at all (the fallback exists only then).</summary>
    public bool IsPinned => File.Exists(ManifestPath) && Version() is not null;

    /// <summary>The server's entry assembly, restoring the tool first when it is not in the NuGet cache.</summary>
    public async Task<string> GetServerAssemblyAsync(CancellationToken cancellationToken)
    {
        var version = Version() ?? throw new InvalidOperationException($"{ManifestPath} does not pin {PackageId}.");
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
        using var manifest = JsonDocument.Parse(File.ReadAllText(ManifestPath));
        return manifest.RootElement.GetProperty("tools").TryGetProperty(PackageId, out var tool)
            ? tool.GetProperty("version").GetString()
            : null;
    }
}
