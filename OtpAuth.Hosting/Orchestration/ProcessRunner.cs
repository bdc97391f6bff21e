using System.Diagnostics;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>Runs a short command (initdb, chown, npm ci) to completion, failing with its last output lines.</summary>
internal static class ProcessRunner
{
    public static async Task RunAsync(ProcessSpec spec, Action<string> log, CancellationToken cancellationToken)
    {
        var output = new LogBuffer(capacity: 50);
        using var process = new Process { StartInfo = SupervisedProcess.CreateStartInfo(spec) };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { output.Add(line); log(line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { output.Add(line); log(line); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{Path.GetFileName(spec.FileName)} {string.Join(' ', spec.Arguments.Take(2))}` exited with code {process.ExitCode}:{Environment.NewLine}"
                + string.Join(Environment.NewLine, output.Tail(20).Select(entry => entry.Text)));
        }
    }
}
