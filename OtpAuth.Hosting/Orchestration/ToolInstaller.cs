using System.Reflection;
using System.Security.Cryptography;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// Brings the pinned tools the process runtime falls back to: Garnet from the repository's .NET tool manifest,
/// and maildev from the package.json + package-lock.json embedded in this assembly (installed once with
/// <c>npm ci</c> into a per-user cache folder, keyed by the lock file's hash).
/// </summary>
internal sealed class ToolInstaller(string repositoryRoot, ExecutableLocator executables, string dotnetHost)
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Restores the tool manifest and returns the Garnet server's entry assembly, or null.</summary>
    public async Task<string?> FindGarnetAsync(CancellationToken cancellationToken)
    {
        var manifest = Path.Combine(repositoryRoot, ".config", "dotnet-tools.json");
        if (!File.Exists(manifest))
        {
            return null;
        }

        var version = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(manifest, cancellationToken))
            .RootElement.GetProperty("tools").GetProperty("garnet-server").GetProperty("version").GetString();
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var toolDirectory = Path.Combine(packages, "garnet-server", version!, "tools");
        if (!Directory.Exists(toolDirectory))
        {
            // Once per machine: later starts find the tool in the NuGet cache and need no network.
            await ProcessRunner.RunAsync(new Runtimes.ProcessSpec(dotnetHost, ["tool", "restore"], WorkingDirectory: repositoryRoot), _ => { }, cancellationToken);
        }

        return Directory.Exists(toolDirectory)
            ? Directory.EnumerateFiles(toolDirectory, "GarnetServer.dll", SearchOption.AllDirectories)
                .OrderByDescending(path => path, StringComparer.Ordinal) // the newest target framework folder
                .FirstOrDefault()
            : null;
    }

    /// <summary>Installs maildev on first use and returns the path of its start script.</summary>
    public async Task<string> InstallMailDevAsync(CancellationToken cancellationToken)
    {
        var packageJson = ReadEmbedded("package.json");
        var lockJson = ReadEmbedded("package-lock.json");
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(packageJson + lockJson)))[..12];
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var target = Path.Combine(cacheRoot, "otpauth", $"maildev-{hash}");
        var script = Path.Combine(target, "node_modules", "maildev", "bin", "maildev");
        if (File.Exists(script))
        {
            return script;
        }

        var npm = executables.Find("npm") ?? throw new Resources.ResourceUnavailableException(
            "npm is needed once to install the dev mail server (maildev 2.2.1); install Node.js with npm, or configure real SMTP with Smtp:Host.");

        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(script))
            {
                return script;
            }

            // Install beside the target, then rename: a half-finished install is never taken for a good one.
            var staging = $"{target}.{Environment.ProcessId}.tmp";
            Directory.CreateDirectory(staging);
            await File.WriteAllTextAsync(Path.Combine(staging, "package.json"), packageJson, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(staging, "package-lock.json"), lockJson, cancellationToken);
            await ProcessRunner.RunAsync(
                new Runtimes.ProcessSpec(npm, ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], WorkingDirectory: staging),
                _ => { },
                cancellationToken);
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
            }
            else
            {
                Directory.Delete(staging, recursive: true);
            }

            return script;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string ReadEmbedded(string fileName)
    {
        var assembly = typeof(ToolInstaller).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith($"MailDev.{fileName}", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
