using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// What one workload did against one system, over every round it ran: completed units per timed second, each step's
/// latencies, every status seen.
/// </summary>
internal sealed class LoadResult(string workload, string target)
{
    public string Workload => workload;
    public string Target => target;
    public long Units { get; private set; }
    /// <summary>The timed seconds of every round together.</summary>
    public double Seconds { get; private set; }
    public double PerSecond => Seconds > 0 ? Units / Seconds : 0;
    /// <summary>Each round's own rate, in the order run: how far the rounds of one run are apart.</summary>
    public List<double> RoundRates { get; } = [];
    public double PeakRssMb { get; set; }
    /// <summary>The whole machine's CPU seconds over the timed parts, by process group (<see cref="MachineCpu"/>).</summary>
    public Dictionary<string, double> MachineSeconds { get; } = MachineCpu.Groups.ToDictionary(group => group, _ => 0.0);
    public Dictionary<string, double> MachineCpuMsPerUnit =>
        MachineSeconds.ToDictionary(group => group.Key, group => Units > 0 ? group.Value * 1000 / Units : 0);
    /// <summary>The server's own CPU (user + system) over the timed part, per completed unit, in milliseconds.</summary>
    public double ServerCpuMsPerUnit => MachineCpuMsPerUnit.GetValueOrDefault(MachineCpu.Server);
    public ConcurrentDictionary<string, ConcurrentBag<double>> Steps { get; } = new();
    public ConcurrentDictionary<string, int> Statuses { get; } = new();

    /// <summary>One round's timed part: its units, its length and the machine's CPU over it.</summary>
    public void AddRound(long units, TimeSpan elapsed, MachineCpu before, MachineCpu after)
    {
        Units += units;
        Seconds += elapsed.TotalSeconds;
        RoundRates.Add(elapsed > TimeSpan.Zero ? units / elapsed.TotalSeconds : 0);
        foreach (var (group, seconds) in after.SecondsSince(before))
        {
            MachineSeconds[group] += seconds;
        }
    }

    public void Record(string step, double milliseconds, HttpStatusCode? status)
    {
        Steps.GetOrAdd(step, _ => []).Add(milliseconds);
        if (status is { } code)
        {
            Statuses.AddOrUpdate($"{step} {(int)code}", 1, (_, n) => n + 1);
        }
    }
}

/// <summary>
/// The three workloads of the side-by-side run, each with a fixed number of concurrent clients:
/// funnel (register → code from the sink → verify → login, for a duration), login (the same few verified accounts
/// signing in again and again, for a duration), verify (a batch registered beforehand, each verified once with its code).
/// </summary>
/// <summary>A step got no answer at all (connection refused or reset, timeout); recorded as status 599.</summary>
internal sealed class StepFailedException : Exception;

internal sealed class LoadRunner(SmtpSink sink, int concurrency, TimeSpan warmUp)
{
    public TimeSpan WarmUp => warmUp;

    public const string Password = "correct horse battery staple";
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(30);
    private readonly Dictionary<LoadTarget, List<string>> _loginAccounts = [];

    /// <summary>The funnel for <paramref name="timed"/>, added to <paramref name="result"/>.</summary>
    public async Task FunnelAsync(LoadResult result, LoadTarget target, ServerProcess server, TimeSpan timed)
    {
        var users = 0L;
        var watch = Stopwatch.StartNew();
        await MeasureAsync(result, server, () => users, () => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (watch.Elapsed < timed)
            {
                try
                {
                    await OneUserAsync();
                }
                catch (StepFailedException)
                {
                }
            }

            async Task OneUserAsync()
            {
                var email = NewEmail("funnel");
                var (status, context) = await TimedAsync(result, "register", () => target.RegisterAsync(email, Password), r => r.Status);
                if ((int)status >= 300)
                {
                    return;
                }

                var step = Stopwatch.StartNew();
                string code;
                try
                {
                    code = await sink.TakeCodeAsync(email, MailTimeout);
                }
                catch (TimeoutException)
                {
                    result.Record("mail", step.Elapsed.TotalMilliseconds, HttpStatusCode.GatewayTimeout);
                    return;
                }

                result.Record("mail", step.Elapsed.TotalMilliseconds, null);
                if ((int)await TimedAsync(result, "verify", () => target.VerifyAsync(email, code, context), s => s) >= 300)
                {
                    return;
                }

                if ((int)await TimedAsync(result, "login", () => target.LoginAsync(email, Password), s => s) < 300)
                {
                    Interlocked.Increment(ref users);
                }
            }
        })));
    }

    /// <summary>Logins of the target's verified accounts (made once, untimed) for <paramref name="timed"/>, added to <paramref name="result"/>.</summary>
    public async Task LoginAsync(LoadResult result, LoadTarget target, ServerProcess server, TimeSpan timed)
    {
        if (!_loginAccounts.TryGetValue(target, out var accounts))
        {
            accounts = [];
            for (var i = 0; i < concurrency; i++)
            {
                accounts.Add(await CreateVerifiedAsync(target));
            }

            _loginAccounts[target] = accounts;
        }

        var logins = 0L;
        var watch = Stopwatch.StartNew();
        await MeasureAsync(result, server, () => logins, () => Task.WhenAll(accounts.Select(async email =>
        {
            while (watch.Elapsed < timed)
            {
                try
                {
                    if ((int)await TimedAsync(result, "login", () => target.LoginAsync(email, Password), s => s) < 300)
                    {
                        Interlocked.Increment(ref logins);
                    }
                }
                catch (StepFailedException)
                {
                }
            }
        })));
    }

    /// <summary><paramref name="count"/> codes, registered beforehand (untimed), each verified once, added to <paramref name="result"/>.</summary>
    public async Task VerifyAsync(LoadResult result, LoadTarget target, ServerProcess server, int count)
    {
        // Registered beforehand (not timed), their codes collected from the sink.
        var pending = new ConcurrentQueue<(string Email, string Code, string? Context)>();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var i = worker; i < count; i += concurrency)
            {
                var email = NewEmail("verify");
                var (status, context) = await target.RegisterAsync(email, Password);
                if ((int)status < 300)
                {
                    pending.Enqueue((email, await sink.TakeCodeAsync(email, MailTimeout), context));
                }
            }
        }));

        var verified = 0L;
        await MeasureAsync(result, server, () => verified, () => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (pending.TryDequeue(out var item))
            {
                try
                {
                    if ((int)await TimedAsync(result, "verify", () => target.VerifyAsync(item.Email, item.Code, item.Context), s => s) < 300)
                    {
                        Interlocked.Increment(ref verified);
                    }
                }
                catch (StepFailedException)
                {
                }
            }
        })));
    }

    private async Task<string> CreateVerifiedAsync(LoadTarget target)
    {
        var email = NewEmail("login");
        var (status, context) = await target.RegisterAsync(email, Password);
        if ((int)status >= 300)
        {
            throw new InvalidOperationException($"{target.Name} refused a registration with {(int)status}.");
        }

        var verified = await target.VerifyAsync(email, await sink.TakeCodeAsync(email, MailTimeout), context);
        return (int)verified < 300 ? email : throw new InvalidOperationException($"{target.Name} refused a verification with {(int)verified}.");
    }

    private static async Task<T> TimedAsync<T>(LoadResult result, string step, Func<Task<T>> call, Func<T, HttpStatusCode> status)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var answer = await call();
            result.Record(step, watch.Elapsed.TotalMilliseconds, status(answer));
            return answer;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            result.Record(step, watch.Elapsed.TotalMilliseconds, (HttpStatusCode)599); // no answer: counted, the loop goes on
            throw new StepFailedException();
        }
    }

    /// <summary>
    /// Runs the load while sampling the server's resident memory every 250 ms (keeps the peak), then adds the round to
    /// <paramref name="result"/>: the units <paramref name="units"/> counted, the time until the last client's last step
    /// came back, the machine's CPU meanwhile.
    /// </summary>
    private static async Task MeasureAsync(LoadResult result, ServerProcess server, Func<long> units, Func<Task> load)
    {
        var machineBefore = MachineCpu.Read(server.Pid);
        var watch = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                result.PeakRssMb = Math.Max(result.PeakRssMb, server.RssMb());
                await Task.Delay(250);
            }
        });
        await load();
        result.AddRound(units(), watch.Elapsed, machineBefore, MachineCpu.Read(server.Pid));
        await done.CancelAsync();
        await sampler;
    }

    private static string NewEmail(string workload) => $"load-{workload}-{Guid.NewGuid():N}@example.test";
}
