using System.Globalization;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// Where the whole machine's CPU went during a workload, read from /proc: the server under load, PostgreSQL, Redis,
/// Aspire's orchestrator (DCP, which runs OtpAuth's processes and reads their consoles), this load driver, everything
/// else, and idle. Both systems share the two cores with all of these, so a server's rate depends on their share too.
/// </summary>
internal sealed class MachineCpu
{
    public const string Server = "server";
    public const string Postgres = "PostgreSQL";
    public const string Redis = "Redis";
    public const string Orchestrator = "DCP";
    public const string Driver = "load driver";
    public const string Other = "other";
    public const string Idle = "idle";

    public static readonly string[] Groups = [Server, Postgres, Redis, Orchestrator, Driver, Other, Idle];

    private const double TicksPerSecond = 100; // USER_HZ

    private readonly Dictionary<string, double> seconds;

    private MachineCpu(Dictionary<string, double> seconds) => this.seconds = seconds;

    /// <summary>CPU seconds used so far by every live process and the children they waited for, grouped.</summary>
    public static MachineCpu Read(int serverPid)
    {
        var seconds = Groups.ToDictionary(group => group, _ => 0.0);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var command = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // utime + stime, and cutime + cstime: the CPU of children that ended and were waited for. A PostgreSQL
                // backend whose connection a pool closed takes its CPU with it, and it reappears here in the postmaster's.
                var used = fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture)) / TicksPerSecond;
                seconds[GroupOf(pid, command, serverPid)] += used;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        // The first line of /proc/stat: user nice system idle …, in ticks, summed over all cores.
        var idle = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        seconds[Idle] = long.Parse(idle, CultureInfo.InvariantCulture) / TicksPerSecond;
        return new MachineCpu(seconds);
    }

    /// <summary>Each group's CPU seconds between <paramref name="before"/> and this reading.</summary>
    public Dictionary<string, double> SecondsSince(MachineCpu before) =>
        Groups.ToDictionary(group => group, group => Math.Max(0, seconds[group] - before.seconds[group]));

    private static string GroupOf(int pid, string command, int serverPid) => pid switch
    {
        _ when pid == serverPid => Server,
        _ when pid == Environment.ProcessId => Driver,
        _ => command switch
        {
            "postgres" => Postgres,
            "redis-server" => Redis,
            "dcp" or "dcpctrl" => Orchestrator,
            _ => Other,
        },
    };
}
