using System.Runtime.InteropServices;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// POSIX signals. .NET's Process.Kill only sends SIGKILL; a graceful stop needs SIGTERM (or SIGINT for
/// PostgreSQL's fast shutdown), so this calls libc's kill(2) directly.
/// </summary>
public static partial class Signals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Send(int pid, int signal) => OperatingSystem.IsWindows() ? KillOnWindows(pid) : Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0;

    private static bool KillOnWindows(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
