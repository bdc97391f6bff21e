using System.Diagnostics;
using System.Globalization;

namespace OtpAuth.Tests.Infrastructure;

/// <summary>
/// Every process of a running executable resource (its own and its descendants, such as PostgreSQL's backends), stopped
/// with SIGSTOP and resumed with SIGCONT: its sockets stay open and nothing answers, as with a failover or a partition
/// that drops packets. The pid comes from the resource's snapshot in the app model.
/// </summary>
public sealed class FrozenProcess
{
    private readonly string _resource;
    private readonly int _root;
    private List<int> _frozen = [];

    private FrozenProcess(string resource, int root)
    {
        _resource = resource;
        _root = root;
    }

    public static FrozenProcess Of(DistributedApplication app, string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"Resource '{resource}' is unknown to the model.");
        }

        var properties = state.Snapshot.Properties;
        var pid = properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value
            ?? throw new InvalidOperationException($"Resource '{resource}' has no pid (properties: {string.Join(", ", properties.Select(p => p.Name))}).");
        return new FrozenProcess(resource, Convert.ToInt32(pid, CultureInfo.InvariantCulture));
    }

    /// <summary>The process first (so it starts no new child meanwhile), then its descendants.</summary>
    public void Freeze()
    {
        Signal("STOP", [_root]);
        _frozen = [_root, .. Descendants(_root)];
        Signal("STOP", _frozen);
    }

    /// <summary>Resumes whatever <see cref="Freeze"/> stopped; safe to call when nothing was.</summary>
    public void Thaw()
    {
        if (_frozen.Count == 0 && Directory.Exists($"/proc/{_root}"))
        {
            _frozen = [_root]; // Freeze failed part way: resume at least the root
        }

        Signal("CONT", [.. _frozen, .. Descendants(_root)]);
        _frozen = [];
    }

    private void Signal(string signal, IReadOnlyCollection<int> pids)
    {
        var kill = new ProcessStartInfo("kill", [$"-{signal}", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))])
        {
            RedirectStandardError = true,
        };
        using var process = Process.Start(kill) ?? throw new InvalidOperationException("kill could not be started.");
        process.WaitForExit();
        if (process.ExitCode != 0 && signal == "STOP")
        {
            throw new InvalidOperationException($"kill -{signal} of '{_resource}' ({string.Join(' ', pids)}) failed: {process.StandardError.ReadToEnd()}");
        }
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            yield break;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)))
            {
                yield return child;
                foreach (var grandchild in Descendants(child))
                {
                    yield return grandchild;
                }
            }
        }
    }
}
