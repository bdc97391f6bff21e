using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace OtpAuth.Benchmarks;

/// <summary>
/// With <c>Auth:ConcealExistingAccounts</c> on, whether the time of an answer tells a stranger that an address has an
/// account: a login with a wrong password for an existing account against one for an address that has none, and a
/// registration of an existing account's address against one of a new address. The two kinds of each go in pairs,
/// each pair in the other order than the last, after a short pause, once the machine is quiet; the first pairs (the
/// JIT's first calls of each path) are not counted. Prints each kind's median and p90 and the median of the paired
/// differences with a 95 % bootstrap confidence interval. <c>CONCEAL_PAIRS</c> sets the pairs per call (40).
/// </summary>
internal static class ConcealTiming
{
    private const int WarmUpPairs = 4;
    private const int Accounts = 4;
    private const string StrangersPassword = "a stranger's guess at a password";
    private static readonly TimeSpan PauseBetweenPairs = TimeSpan.FromMilliseconds(30);

    /// <summary>The Api settings of this mode: conceal on, and room for its registrations of the same few addresses.</summary>
    public static void Configure(IResourceBuilder<IResourceWithEnvironment> api) =>
        api.WithEnvironment("Auth__ConcealExistingAccounts", "true")
            .WithEnvironment("Otp__MaxSendsPerHour", "10000")
            .WithEnvironment("Otp__MaxSendsPerAddressPerHour", "1000000");

    public static async Task RunAsync(SystemUnderTest system)
    {
        var pairs = int.Parse(Environment.GetEnvironmentVariable("CONCEAL_PAIRS") ?? "40", CultureInfo.InvariantCulture);
        var existing = new List<string>();
        for (var i = 0; i < Accounts; i++)
        {
            existing.Add(await system.CreateVerifiedAccountAsync());
        }

        await QuietMachine.WaitAsync(TimeSpan.FromSeconds(60));
        var calls = new (string Name, string Existing, string Fresh, Func<string, Task<HttpResponseMessage>> Call)[]
        {
            ("POST /auth/login, wrong password", "existing account", "no account",
                email => system.Api.PostAsJsonAsync("/auth/login", new { email, password = StrangersPassword })),
            ("POST /auth/register", "existing account's address", "new address",
                email => system.Api.PostAsJsonAsync("/auth/register", new { email, password = StrangersPassword })),
        };

        Console.WriteLine();
        Console.WriteLine($"## Conceal mode: does an existing account answer in another time? ({pairs} pairs per call, interleaved, after {WarmUpPairs} uncounted)");
        Console.WriteLine();
        Console.WriteLine("| call | address | median ms | p90 ms | status |");
        Console.WriteLine("|---|---|---:|---:|---|");
        var summaries = new List<string>();
        foreach (var (name, existingLabel, freshLabel, call) in calls)
        {
            var atExisting = new List<double>();
            var atFresh = new List<double>();
            var statuses = new HashSet<string>();
            for (var n = 0; n < WarmUpPairs + pairs; n++)
            {
                await Task.Delay(PauseBetweenPairs);
                var ownerAddress = existing[n % existing.Count];
                var freshAddress = SystemUnderTest.NewEmail("conceal");
                var existingFirst = n % 2 == 0;
                var first = await TimeAsync(() => call(existingFirst ? ownerAddress : freshAddress));
                var second = await TimeAsync(() => call(existingFirst ? freshAddress : ownerAddress));
                var (owner, fresh) = existingFirst ? (first, second) : (second, first);
                statuses.Add($"{(int)owner.Status}/{(int)fresh.Status}");
                if (n >= WarmUpPairs)
                {
                    atExisting.Add(owner.Milliseconds);
                    atFresh.Add(fresh.Milliseconds);
                }
            }

            var status = string.Join(", ", statuses);
            Console.WriteLine($"| `{name}` | {existingLabel} | {Stats.Median(atExisting):0.0} | {Stats.Percentile(atExisting, 90):0.0} | {status} (existing/new) |");
            Console.WriteLine($"| | {freshLabel} | {Stats.Median(atFresh):0.0} | {Stats.Percentile(atFresh, 90):0.0} | |");
            var differences = atExisting.Zip(atFresh, (e, f) => e - f).ToList();
            var (low, high) = BootstrapMedianInterval(differences);
            var typical = Stats.Median([.. atExisting, .. atFresh]);
            summaries.Add($"- `{name}`: existing − new, median of the {differences.Count} paired differences {Stats.Median(differences):+0.0;-0.0} ms "
                + $"(95 % CI {low:+0.0;-0.0} to {high:+0.0;-0.0} ms), {Stats.Median(differences) / typical:+0.0%;-0.0%} of the call's {typical:0.0} ms; "
                + $"difference of the medians {Stats.Median(atExisting) - Stats.Median(atFresh):+0.0;-0.0} ms.");
        }

        Console.WriteLine();
        summaries.ForEach(Console.WriteLine);
    }

    private static async Task<(double Milliseconds, HttpStatusCode Status)> TimeAsync(Func<Task<HttpResponseMessage>> send)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await send();
        await response.Content.ReadAsByteArrayAsync();
        return (watch.Elapsed.TotalMilliseconds, response.StatusCode);
    }

    /// <summary>The 2.5th and 97.5th percentiles of the median over 4,000 resamples of the pairs (a fixed seed: the same data, the same interval).</summary>
    private static (double Low, double High) BootstrapMedianInterval(List<double> differences)
    {
        var random = new Random(28);
        var medians = new List<double>(4000);
        var sample = new double[differences.Count];
        for (var r = 0; r < 4000; r++)
        {
            for (var i = 0; i < sample.Length; i++)
            {
                sample[i] = differences[random.Next(differences.Count)];
            }

            medians.Add(Stats.Median(sample));
        }

        return (Stats.Percentile(medians, 2.5), Stats.Percentile(medians, 97.5));
    }
}

/// <summary>
/// Waits until the machine is quiet: right after "healthy" the processes the system started are still compiling and
/// warming up, and on two cores that work lands on some timed calls and not on others.
/// </summary>
internal static class QuietMachine
{
    private const double QuietBusyShare = 0.25;

    /// <summary>Until all cores together are under a quarter busy for two half-second windows in a row, or <paramref name="atMost"/>.</summary>
    public static async Task WaitAsync(TimeSpan atMost)
    {
        if (!File.Exists("/proc/stat"))
        {
            return;
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        var quietWindows = 0;
        var before = ReadCpuTimes();
        while (quietWindows < 2 && waited.Elapsed < atMost)
        {
            await Task.Delay(500);
            var after = ReadCpuTimes();
            var total = after.Total - before.Total;
            var busy = total == 0 ? 0 : (double)((after.Total - after.Idle) - (before.Total - before.Idle)) / total;
            quietWindows = busy < QuietBusyShare ? quietWindows + 1 : 0;
            before = after;
        }

        Console.WriteLine(quietWindows >= 2
            ? $"The machine is quiet after {waited.Elapsed.TotalSeconds:0.0} s: timing starts."
            : $"The machine stayed busy for {atMost.TotalSeconds:0} s: timing starts all the same (the figures include a neighbour's load).");
    }

    /// <summary>The first line of /proc/stat: jiffies of all cores, and of those the idle and I/O-wait ones.</summary>
    private static (long Total, long Idle) ReadCpuTimes()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields.Take(8).Sum(), fields[3] + fields[4]);
    }
}
