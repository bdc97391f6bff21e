using System.Diagnostics;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// One long-running child process: its output goes line by line to the resource's log, its exit is reported,
/// and stopping it is the process's own graceful signal first, SIGKILL after a timeout.
/// </summary>
internal sealed class SupervisedProcess : IDisposable
{
    private readonly Process _process;
    private readonly ProcessSpec _spec;

    private SupervisedProcess(Process process, ProcessSpec spec)
    {
        _process = process;
        _spec = spec;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Completes when the process exits, with its exit code.</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    private const string SetSid = "/usr/bin/setsid";

    public static SupervisedProcess Start(ProcessSpec spec, Action<string, string> onLine)
    {
        var process = new Process { StartInfo = CreateStartInfo(spec, ownSession: true), EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { onLine(line, "stdout"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { onLine(line, "stderr"); } };
        process.Exited += (_, _) =>
        {
            // WaitForExit() with no timeout also drains the redirected output before the exit is reported.
            process.WaitForExit();
            exited.TrySetResult(process.ExitCode);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SupervisedProcess(process, spec) { Exited = exited.Task };
    }

    /// <summary>Asks the process to stop with its own signal; kills it if it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signals.Send(_process.Id, _spec.StopSignal);
        if (await Task.WhenAny(Exited, Task.Delay(timeout)) != Exited)
        {
            _process.Kill(entireProcessTree: true);
            await Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Releases the handle and pipes of a process that has exited (or been stopped).</summary>
    public void Dispose() => _process.Dispose();

    /// <summary>
    /// The start info for <paramref name="spec"/>. A process that must not run as root (PostgreSQL refuses to)
    /// is started through <c>setpriv</c>, which switches user and then execs: the pid stays the server's own.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(ProcessSpec spec, bool ownSession = false)
    {
        List<string> command = spec.RunAsUser is { } user
            ? ["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--", spec.FileName, .. spec.Arguments]
            : [spec.FileName, .. spec.Arguments];
        if (ownSession && !OperatingSystem.IsWindows() && File.Exists(SetSid))
        {
            // A session of its own: Ctrl+C in the terminal reaches only the AppHost, which then stops the
            // children in order (projects first). setsid execs, so the pid is still the child's own.
            command.Insert(0, SetSid);
        }

        var info = new ProcessStartInfo(command[0], command.Skip(1));
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true; // never let a child read the AppHost's console (Ctrl+C belongs to us)
        info.UseShellExecute = false;
        info.WorkingDirectory = spec.WorkingDirectory ?? Environment.CurrentDirectory;
        if (spec.RunAsUser is not null)
        {
            info.WorkingDirectory = "/"; // a root-only working directory would be unreadable to the other user
        }

        foreach (var (name, value) in spec.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
