using System.Diagnostics;
using System.Globalization;

namespace OtpAuth.Hosting.Runtimes;

/// <summary>
/// Runs resources as containers through the docker or podman command line. The container runs in the
/// foreground (<c>run --rm</c>) so its output streams through the same supervision as a local process;
/// stopping it is <c>stop</c> by name. No engine exists on the build machines, so the commands are unit-tested.
/// </summary>
public sealed class ContainerRuntime(string cli)
{
    /// <summary>docker or podman.</summary>
    public string Cli { get; } = cli;

    /// <summary>The first of docker, podman whose engine answers <c>info</c>; null when none does.</summary>
    public static async Task<ContainerRuntime?> DetectAsync(IEnumerable<string> candidates, Func<string, string?> findExecutable, CancellationToken cancellationToken)
    {
        foreach (var cli in candidates)
        {
            if (findExecutable(cli) is not { } path)
            {
                continue;
            }

            using var info = Process.Start(new ProcessStartInfo(path, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (info is null)
            {
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await info.WaitForExitAsync(timeout.Token);
                if (info.ExitCode == 0)
                {
                    return new ContainerRuntime(path);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                info.Kill(entireProcessTree: true); // an engine that does not answer in time counts as absent
            }
        }

        return null;
    }

    /// <summary>The command that runs <paramref name="spec"/> as the container <paramref name="containerName"/>.</summary>
    public ProcessSpec RunCommand(string containerName, ContainerSpec spec)
    {
        List<string> args = ["run", "--rm", "--name", containerName];
        foreach (var port in spec.Ports)
        {
            args.AddRange(["-p", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port.HostPort}:{port.ContainerPort}")]);
        }

        var secrets = new Dictionary<string, string>();
        foreach (var (name, value) in spec.Environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (spec.SecretEnvironment?.Contains(name) == true)
            {
                // "-e NAME" alone makes the CLI copy the value from its own environment: a secret on the command
                // line would be readable by every local user through ps.
                args.AddRange(["-e", name]);
                secrets[name] = value;
            }
            else
            {
                args.AddRange(["-e", $"{name}={value}"]);
            }
        }

        foreach (var volume in spec.Volumes)
        {
            args.AddRange(["-v", $"{volume.VolumeName}:{volume.ContainerPath}"]);
        }

        args.Add(spec.Image);
        args.AddRange(spec.Args ?? []);
        return new ProcessSpec(Cli, args, secrets);
    }

    /// <summary>Stops the container gracefully (the engine sends SIGTERM, then SIGKILL after the timeout).</summary>
    public ProcessSpec StopCommand(string containerName, TimeSpan timeout) =>
        new(Cli, ["stop", "--time", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), containerName]);

    /// <summary>Removes a container a crashed run left behind.</summary>
    public ProcessSpec RemoveCommand(string containerName) => new(Cli, ["rm", "--force", containerName]);
}
