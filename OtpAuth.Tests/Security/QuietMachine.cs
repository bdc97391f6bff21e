using System.Diagnostics;
using System.Globalization;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Tests that compare response times: they run by themselves (no other test class beside them), and they start measuring
/// once the machine is quiet (<see cref="WaitUntilQuietAsync"/>), because on two cores other work lands on some samples
/// and not on others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuietMachine
{
    public const string Name = "Quiet machine";

    /// <summary>Busy share of all cores below which the machine counts as quiet.</summary>
    private const double QuietBusyShare = 0.25;

    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Waits (at most <paramref name="atMost"/>) until all cores together are less than a quarter busy for two windows
    /// in a row. "Healthy" comes before a started .NET process is done warming up: right after the system starts, its
    /// dozen Api variants spend seconds of CPU each on compilation and start-up work, which stretched single bcrypt
    /// calls from 60 to 280 ms here. Gives up quietly at the limit: the comparison then runs on a busy machine.
    /// </summary>
    public static async Task WaitUntilQuietAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        if (!File.Exists("/proc/stat"))
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        var quietWindows = 0;
        var before = ReadCpuTimes();
        while (quietWindows < 2 && waited.Elapsed < atMost)
        {
            await Task.Delay(Window, cancellationToken);
            var after = ReadCpuTimes();
            var total = after.Total - before.Total;
            var busy = total == 0 ? 0 : (double)((after.Total - after.Idle) - (before.Total - before.Idle)) / total;
            quietWindows = busy < QuietBusyShare ? quietWindows + 1 : 0;
            before = after;
        }
    }

    /// <summary>The first line of /proc/stat: jiffies of all cores, and of those the idle and I/O-wait ones.</summary>
    private static (long Total, long Idle) ReadCpuTimes()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields.Take(8).Sum(), fields[3] + fields[4]); // user nice system idle iowait irq softirq steal
    }
}
