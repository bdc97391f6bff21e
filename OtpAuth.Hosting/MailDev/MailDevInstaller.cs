using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace OtpAuth.Hosting.MailDev;

/// <summary>
/// Installs maildev from the package.json and package-lock.json embedded in this assembly with <c>npm ci</c>, once per
/// machine, into a per-user cache folder named by the lock's hash (a changed pin is a new folder).
/// </summary>
internal static class MailDevInstaller
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Where the start script is once installed.</summary>
    public static string ScriptPath => Path.Combine(InstallDirectory, "node_modules", "maildev", "bin", "maildev");

    private static string InstallDirectory
    {
        get
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Read("package.json") + Read("package-lock.json"))))[..12];
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "otpauth", $"maildev-{hash}");
        }
    }

    public static async Task EnsureInstalledAsync(string npm, Action<string> log, CancellationToken cancellationToken)
    {
        if (File.Exists(ScriptPath))
        {
            return;
        }

        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(ScriptPath))
            {
                return;
            }

            // Install beside the target, then rename: a half-finished install is never taken for a good one.
            var target = InstallDirectory;
            var staging = $"{target}.{Environment.ProcessId}.tmp";
            Directory.CreateDirectory(staging);
            await File.WriteAllTextAsync(Path.Combine(staging, "package.json"), Read("package.json"), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(staging, "package-lock.json"), Read("package-lock.json"), cancellationToken);
            log($"Installing maildev 2.2.1 into {target} (npm ci, once per machine)");
            var start = new ProcessStartInfo(npm, ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"])
            {
                WorkingDirectory = staging,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started.");
            process.OutputDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { log(text); } };
            process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { log(text); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                Directory.Delete(staging, recursive: true);
                throw new InvalidOperationException($"npm ci failed with exit code {process.ExitCode} while installing maildev; its output is in this resource's log.");
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(staging, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string Read(string fileName)
    {
        using var stream = typeof(MailDevInstaller).Assembly.GetManifestResourceStream($"OtpAuth.Hosting.MailDev.{fileName}")
            ?? throw new InvalidOperationException($"The embedded {fileName} of maildev is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
