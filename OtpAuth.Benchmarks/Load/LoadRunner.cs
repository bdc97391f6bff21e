using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace OtpAuth.Benchmarks.Load;

/// <summary>What one workload did against one system: completed units per second, each step's latencies, every status seen.</summary>
internal sealed class LoadResult(string workload, string target)
{
    public string Workload => workload;
    public string Target => target;
    public double PerSecond { get; set; }
    public long Units { get; set; }
    public double PeakRssMb { get; set; }
    /// <summary>The whole machine's CPU over the timed part, by process group (<see cref="MachineCpu"/>).</summary>
    public (MachineCpu Before, MachineCpu After)? Machine { get; set; }
    public Dictionary<string, double> MachineCpuMsPerUnit => Machine is var (before, after) ? after.MsPerUnitSince(before, Units) : [];
    /// <summary>The server's own CPU (user + system) over the timed part, per completed unit, in milliseconds.</summary>
    public double ServerCpuMsPerUnit => MachineCpuMsPerUnit.GetValueOrDefault(MachineCpu.Server);
    public ConcurrentDictionary<string, ConcurrentBag<double>> Steps { get; } = new();
    public ConcurrentDictionary<string, int> Statuses { get; } = new();

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

internal sealed class LoadRunner(SmtpSink sink, int concurrency, TimeSpan duration, TimeSpan warmUp)
{
    public TimeSpan WarmUp => warmUp;

    public const string Password = "correct horse battery staple";
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The funnel for <paramref name="forDuration"/> (the runner's duration by default).</summary>
    public async Task<LoadResult> FunnelAsync(LoadTarget target, ServerProcess server, TimeSpan? forDuration = null)
    {
        var timed = forDuration ?? duration;
        var result = new LoadResult("funnel", target.Name);
        var users = 0L;
        var watch = Stopwatch.StartNew();
        await MeasureAsync(result, server, () => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
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
        result.Units = users;
        result.PerSecond = users / watch.Elapsed.TotalSeconds;
        return result;
    }

    public async Task<LoadResult> LoginAsync(LoadTarget target, ServerProcess server)
    {
        var accounts = new List<string>();
        for (var i = 0; i < concurrency; i++)
        {
            accounts.Add(await CreateVerifiedAsync(target));
        }

        var result = new LoadResult("login", target.Name);
        var logins = 0L;
        var watch = Stopwatch.StartNew();
        await MeasureAsync(result, server, () => Task.WhenAll(accounts.Select(async email =>
        {
            while (watch.Elapsed < duration)
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
        result.Units = logins;
        result.PerSecond = logins / watch.Elapsed.TotalSeconds;
        return result;
    }

    public async Task<LoadResult> VerifyAsync(LoadTarget target, int count, ServerProcess server)
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

        var result = new LoadResult("verify", target.Name);
        var verified = 0L;
        var watch = Stopwatch.StartNew();
        await MeasureAsync(result, server, () => Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
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
        result.Units = verified;
        result.PerSecond = verified / watch.Elapsed.TotalSeconds;
        return result;
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

    /// <summary>Runs the load while sampling the server's resident memory every 250 ms (keeps the peak) and counts the machine's CPU.</summary>
    private static async Task MeasureAsync(LoadResult result, ServerProcess server, Func<Task> load)
    {
        var machineBefore = MachineCpu.Read(server.Pid);
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
        result.Machine = (machineBefore, MachineCpu.Read(server.Pid));
        await done.CancelAsync();
        await sampler;
    }

    private static string NewEmail(string workload) => $"load-{workload}-{Guid.NewGuid():N}@example.test";
}
