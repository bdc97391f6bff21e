using System.Globalization;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// Remembers every child process (and container) in <c>pids/</c> of the state folder, so the processes a
/// crashed AppHost left behind are stopped at the next start. A pid is only signalled when the process's start
/// time still matches, so a reused pid of someone else's process is never touched.
/// </summary>
internal sealed class PidFiles(string stateDirectory)
{
    private readonly string _directory = Path.Combine(stateDirectory, "pids");

    public void Record(string instanceName, int pid, string? containerName)
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllLines(PathOf(instanceName), [pid.ToString(CultureInfo.InvariantCulture), ProcessStartTime(pid) ?? "", containerName ?? ""]);
    }

    public void Forget(string instanceName)
    {
        if (File.Exists(PathOf(instanceName)))
        {
            File.Delete(PathOf(instanceName));
        }
    }

    /// <summary>Stops what an earlier run left behind; returns a line per leftover for the console.</summary>
    public async Task<IReadOnlyList<string>> CleanUpLeftoversAsync(Func<string, Task> removeContainer)
    {
        List<string> cleaned = [];
        if (!Directory.Exists(_directory))
        {
            return cleaned;
        }

        foreach (var file in Directory.GetFiles(_directory, "*.pid"))
        {
            var lines = await File.ReadAllLinesAsync(file);
            if (lines.Length >= 2 && int.TryParse(lines[0], out var pid) && lines[1].Length > 0 && ProcessStartTime(pid) == lines[1])
            {
                Signals.Send(pid, Signals.SIGTERM);
                for (var i = 0; i < 50 && ProcessStartTime(pid) == lines[1]; i++)
                {
                    await Task.Delay(100);
                }

                if (ProcessStartTime(pid) == lines[1])
                {
                    Signals.Send(pid, Signals.SIGKILL);
                }

                cleaned.Add($"stopped leftover process {pid} ({Path.GetFileNameWithoutExtension(file)}) of an earlier run");
            }

            if (lines.Length >= 3 && lines[2].Length > 0)
            {
                await removeContainer(lines[2]);
                cleaned.Add($"removed leftover container {lines[2]}");
            }

            File.Delete(file);
        }

        return cleaned;
    }

    private string PathOf(string instanceName) => Path.Combine(_directory, $"{instanceName}.pid");

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat: the process's start time in clock ticks since boot.</summary>
    private static string? ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
