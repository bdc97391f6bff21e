using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace OtpAuth.Hosting.Local;

/// <summary>
/// Where local processes keep what must survive a run (PostgreSQL's data): <c>.otpauth/</c> at the repository root,
/// git-ignored, or <c>Hosting:StateDirectory</c> (tests give each run a folder of its own).
/// </summary>
internal static class LocalState
{
    public const string DirectoryKey = "Hosting:StateDirectory";

    /// <summary>The OS user PostgreSQL runs as when the AppHost runs as root (PostgreSQL refuses to run as root).</summary>
    public const string PostgresOsUser = "postgres";

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static string Directory(IDistributedApplicationBuilder builder)
    {
        var path = builder.Configuration[DirectoryKey] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            // The AppHost project sits at the repository root, so its parent is the root.
            : Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".otpauth"));
        System.IO.Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            // Traversable by the postgres OS user (its data folder lives inside), listable by no one else.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
