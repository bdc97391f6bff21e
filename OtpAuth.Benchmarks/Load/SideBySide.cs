using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// OtpAuth and the Better Auth peer (OtpAuth.Benchmarks/Load/BetterAuth) under the same load, in turn workload by workload
/// and within each in <c>LOAD_ROUNDS</c> rounds (3) whose order alternates (A B, B A, A B…), on the same
/// PostgreSQL server and Redis (those the AppHost starts), the same SMTP sink (<see cref="SmtpSink"/>), the same bcrypt
/// cost, rate limits off for both. Prints each workload's throughput, p50/p99 per step, statuses, peak RSS, and the
/// ratios. Run: <c>dotnet run -c Release --project OtpAuth.Benchmarks -- load [cost] [concurrency] [seconds] [workloads]</c>
/// after <c>OtpAuth.Benchmarks/Load/BetterAuth/run.sh install</c>; without the peer installed only OtpAuth is measured.
/// <c>workloads</c> is a comma-separated subset of funnel,login,verify (all by default), and <c>LOAD_API_ENV</c>
/// ("Name=value;Name=value") sets extra environment for OtpAuth's Api: together they make an A/B try of one setting a
/// two-minute run instead of a six-minute one (<c>LOAD_SKIP_PEER=1</c> leaves the peer out). Each system first runs
/// the funnel unmeasured for <c>LOAD_WARMUP_SECONDS</c> (60); 0 measures a cold start. <c>LOAD_VERIFY_CODES</c> (40 per
/// client) sets how many registrations the verify workload verifies: at cost 4 the default is over in under 2 s, which
/// a GC or a scheduler hiccup can move by a third; 160 per client gives a window as long as the others'.
/// From cost 10 up, OtpAuth's login workload is framed by <see cref="HashingBound"/>: what the Api's hashing threads
/// alone get through on this host, right before each of its rounds and after the last, printed beside the logins/s.
/// </summary>
internal static class SideBySide
{
    private static int VerifyCodes(int concurrency) =>
        concurrency * int.Parse(Environment.GetEnvironmentVariable("LOAD_VERIFY_CODES") ?? "40", CultureInfo.InvariantCulture);

    private static int Rounds => Math.Max(1, int.Parse(Environment.GetEnvironmentVariable("LOAD_ROUNDS") ?? "3", CultureInfo.InvariantCulture));

    public static async Task RunAsync(string[] args)
    {
        var cost = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        var seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        var warmUp = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("LOAD_WARMUP_SECONDS") ?? "60", CultureInfo.InvariantCulture));
        var workloads = (args.Length > 4 ? args[4] : "funnel,login,verify").Split(',', StringSplitOptions.TrimEntries);
        await using var sink = new SmtpSink();

        Console.WriteLine($"Starting OtpAuth (bcrypt cost {cost}, rate limits off, mail to the sink on port {sink.Port})…");
        var state = Directory.CreateTempSubdirectory("otpauth-load-");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(
            [.. TestApp.Arguments(state.FullName), $"ConnectionStrings:mail=smtp://127.0.0.1:{sink.Port}"]);
        // The peer's console goes nowhere (StartNode); OtpAuth's went through DCP into this process's console, a line or two
        // per request formatted and written by the load driver itself (≈ 650,000 lines in a cost-4 run). Only warnings and
        // errors of the resources are printed now, as for the peer: the same load driver for both.
        // The AppHost's probes of its resources fail (with stack traces) while PostgreSQL creates the database and again
        // while everything stops after the figures are printed; a start that never gets healthy is reported by
        // AppStartup, which names the resources still waited for.
        appHost.Services.AddLogging(logging => logging
            .AddFilter("OtpAuth.AppHost.Resources", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        // Straight to the Api's own socket, as the peer is reached. By default DCP proxies a project's endpoint,
        // and every request of the load then crossed DCP's proxy as well: 0.08 ms of DCP's CPU per verify, 0.27 per
        // funnel user, on the cores both systems share (docs/benchmarks.md, "Where the machine's CPU went").
        appHost.CreateResourceBuilder<IResourceWithEndpoints>("api").WithEndpoint("http", endpoint => endpoint.IsProxied = false);
        var api = appHost.CreateResourceBuilder<IResourceWithEnvironment>("api")
            .WithEnvironment("RateLimits__Enabled", "false")
            .WithEnvironment("Password__BcryptWorkFactor", cost.ToString(CultureInfo.InvariantCulture))
            // The hashing gate stays (its permits are the cores), but 16 clients must queue, not be refused: the peer has no gate.
            .WithEnvironment("Password__HashQueueLimit", "1000")
            .WithEnvironment("Otp__MaxSendsPerHour", "10000")
            .WithEnvironment("Otp__MaxSendsPerAddressPerHour", "1000000")
            .WithEnvironment("Login__FreeFailures", "100")
            // The testing builder runs no dashboard yet points OTLP at one, so the exporters would retry into nothing and
            // buffer what they could not send (≈ 40 MB of RSS in a run). Telemetry is still recorded; it is not exported,
            // as the peer exports none. LOAD_API_ENV=OTEL_EXPORTER_OTLP_ENDPOINT=… puts a live collector back.
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        ApiEnvironment.Apply(api, "LOAD_API_ENV");

        await using var app = await appHost.BuildAsync();
        var peerDirectory = FindPeer();
        Peer? peer = null;
        // Both systems run throughout (see below), so the peer starts with OtpAuth's system: for a cold start, before
        // the Api's /alive answers and the load begins.
        async Task StartPeerIfInstalledAsync()
        {
            if (Environment.GetEnvironmentVariable("LOAD_SKIP_PEER") is "1")
            {
                Console.WriteLine("LOAD_SKIP_PEER=1: measuring OtpAuth only.");
            }
            else if (peerDirectory is null || !Directory.Exists(Path.Combine(peerDirectory, "node_modules")))
            {
                Console.WriteLine("The peer is not installed (OtpAuth.Benchmarks/Load/BetterAuth/run.sh install): measuring OtpAuth only.");
            }
            else
            {
                peer = await StartPeerAsync(app, peerDirectory, sink.Port, cost);
            }
        }

        if (Environment.GetEnvironmentVariable("LOAD_START_AT") is "alive")
        {
            await StartUntilAliveAsync(app, StartPeerIfInstalledAsync);
        }
        else
        {
            await AppStartup.StartHealthyAsync(app, TimeSpan.FromMinutes(4));
            await StartPeerIfInstalledAsync();
        }

        using var stopPeer = peer;
        var runner = new LoadRunner(sink, concurrency, warmUp);
        List<(LoadTarget Target, ServerProcess Server)> systems = [(new OtpAuthTarget(app.GetEndpoint("api", "http")), new ServerProcess(FindProcess("OtpAuth.Api")))];
        if (peer is not null)
        {
            systems.Add((new BetterAuthTarget(peer.Address), new ServerProcess(peer.Process.Id)));
        }

        // Workload by workload, each system in turn, both running throughout, and each workload in rounds whose order
        // alternates: this machine's speed drifts by a third over minutes (the same build's PostgreSQL CPU per funnel
        // user moved from 0.94 to 1.39 ms within an hour), so one system's whole series after the other's, or even one
        // workload's half after the other's, put the drift into the ratio; rounds spread it over both halves.
        foreach (var (target, server) in systems)
        {
            await WarmUpAsync(runner, target, server);
        }

        var results = new List<LoadResult>();
        var bound = new List<(double PerSecond, double CpuMs)>();
        var round = TimeSpan.FromSeconds((double)seconds / Rounds);
        foreach (var workload in Workloads.Where(workloads.Contains))
        {
            var ofWorkload = systems.Select(system => new LoadResult(workload, system.Target.Name)).ToList();
            // OtpAuth's logins against what its hashing threads alone get through, measured right before each of its
            // rounds and after the last, at the costs where the hash is the bound (from 10 up; at 4 the service's own
            // work shows instead).
            var measureBound = workload is "login" && cost >= 10;
            for (var r = 0; r < Rounds; r++)
            {
                var order = Enumerable.Range(0, systems.Count).ToList();
                if (r % 2 == 1)
                {
                    order.Reverse();
                }

                foreach (var i in order)
                {
                    var (target, server) = systems[i];
                    if (measureBound && target is OtpAuthTarget)
                    {
                        bound.Add(await MeasureBoundAsync(cost, concurrency, round));
                    }

                    await RunWorkloadAsync(runner, ofWorkload[i], target, server, round, VerifyCodes(concurrency) / Rounds, r);
                }
            }

            if (measureBound)
            {
                bound.Add(await MeasureBoundAsync(cost, concurrency, round));
            }

            results.AddRange(ofWorkload);
        }

        Print(results, cost, concurrency, seconds, warmUp);
        PrintBound(results, bound, cost, concurrency);
    }

    private static async Task<(double PerSecond, double CpuMs)> MeasureBoundAsync(int cost, int concurrency, TimeSpan round)
    {
        var duration = round < TimeSpan.FromSeconds(10) ? round : TimeSpan.FromSeconds(10);
        Console.WriteLine($"login bound: the Api's hashing gate alone in this process ({HashingBound.Describe(HashingBound.GateOptions(cost))}), {duration.TotalSeconds:0} s…");
        return await HashingBound.HashesPerSecondAsync(cost, concurrency, duration);
    }

    private static void PrintBound(List<LoadResult> results, List<(double PerSecond, double CpuMs)> bound, int cost, int concurrency)
    {
        if (bound.Count < 2 || results.FirstOrDefault(r => r.Workload == "login" && r.Target == "OtpAuth") is not { } login)
        {
            return;
        }

        var mean = bound.Average(b => b.PerSecond);
        var cpu = bound.Average(b => b.CpuMs);
        Console.WriteLine();
        Console.WriteLine($"## OtpAuth's logins against the hashing bound (bcrypt cost {cost}, {HashingBound.Describe(HashingBound.GateOptions(cost))}, {concurrency} callers)");
        Console.WriteLine();
        // Per second is the target's measure; CPU per unit is the same comparison when a neighbour takes part of the
        // cores, which moves the rates of the three windows apart but not the work each login or hash costs.
        Console.WriteLine("| hashing threads alone, before each round and after the last: verifications/s (CPU ms each) | OtpAuth logins/s (Api CPU ms each) | logins / mean bound, per second | each round / the bound around it | by CPU |");
        Console.WriteLine("|---|---:|---:|---|---:|");
        var frames = string.Join(" / ", bound.Select(b => $"{b.PerSecond:0.0} ({b.CpuMs:0.0})"));
        // Round r ran between bound r (right before it) and bound r + 1 (before the next round, or after the last).
        var rounds = string.Join(", ", login.RoundRates.Select((rate, r) =>
            r + 1 < bound.Count ? $"{rate / ((bound[r].PerSecond + bound[r + 1].PerSecond) / 2):P1}" : "–"));
        Console.WriteLine($"| {frames} | {login.PerSecond:0.0} ({login.ServerCpuMsPerUnit:0.0}) | {login.PerSecond / mean:P1} | {rounds} | {cpu / login.ServerCpuMsPerUnit:P1} |");
    }

    /// <summary>
    /// LOAD_START_AT=alive: the load begins the moment the Api's <c>/alive</c> answers, before its readiness (<c>/health</c>:
    /// PostgreSQL and Redis connected) — the cold start a process gets when a balancer sends traffic on liveness alone.
    /// </summary>
    private static async Task StartUntilAliveAsync(DistributedApplication app, Func<Task> whileTheApiStarts)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await app.StartAsync(timeout.Token);
        // PostgreSQL, its database, Redis and the mail server healthy, as the Api itself waits for them; not the Api
        // (nor the frontend, which waits for the Api).
        await AppStartup.WaitForAllHealthyAsync(app, timeout.Token, except: ["api", "web"]);
        await whileTheApiStarts();

        using var http = new HttpClient { BaseAddress = app.GetEndpoint("api", "http"), Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            try
            {
                using var alive = await http.GetAsync("/alive", timeout.Token);
                if (alive.IsSuccessStatusCode)
                {
                    Console.WriteLine("The Api answers /alive: load starts now, readiness not awaited.");
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!timeout.IsCancellationRequested)
            {
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static readonly string[] Workloads = ["funnel", "login", "verify"];

    private static async Task WarmUpAsync(LoadRunner runner, LoadTarget target, ServerProcess server)
    {
        if (runner.WarmUp > TimeSpan.Zero)
        {
            // Unmeasured, the same for both systems: the figures are of a server that has run a while (its JIT and
            // connection pools settled), as one in service has. LOAD_WARMUP_SECONDS=0 measures a cold one instead.
            Console.WriteLine($"Warming {target.Name} up: the funnel for {runner.WarmUp.TotalSeconds:0} s, not measured…");
            await runner.FunnelAsync(new LoadResult("warm-up", target.Name), target, server, runner.WarmUp);
        }
    }

    private static async Task RunWorkloadAsync(
        LoadRunner runner, LoadResult result, LoadTarget target, ServerProcess server, TimeSpan round, int verifyCodes, int roundIndex)
    {
        Console.WriteLine($"{result.Workload}: {target.Name}, round {roundIndex + 1} of {Rounds}…");
        await (result.Workload switch
        {
            "funnel" => runner.FunnelAsync(result, target, server, round),
            "login" => runner.LoginAsync(result, target, server, round),
            _ => runner.VerifyAsync(result, target, server, verifyCodes),
        });
    }

    private static void Print(List<LoadResult> results, int cost, int concurrency, int seconds, TimeSpan warmUp)
    {
        Console.WriteLine();
        Console.WriteLine($"## Side by side (bcrypt cost {cost}, {concurrency} concurrent clients, {seconds} s per timed workload in {Rounds} alternating rounds; verify: {VerifyCodes(concurrency) / Rounds * Rounds} codes; warm-up {warmUp.TotalSeconds:0} s)");
        Console.WriteLine();
        Console.WriteLine("| workload | system | per second | step p50 / p99 ms | server CPU ms per unit | peak RSS MB | statuses |");
        Console.WriteLine("|---|---|---:|---|---:|---:|---|");
        foreach (var result in results)
        {
            var steps = string.Join("; ", result.Steps.OrderBy(s => StepOrder(s.Key)).Select(s =>
                $"{s.Key} {Stats.Median([.. s.Value]):0} / {Stats.Percentile([.. s.Value], 99):0}"));
            var statuses = string.Join(", ", result.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"));
            Console.WriteLine($"| {result.Workload} | {result.Target} | {result.PerSecond:0.0} | {steps} | {result.ServerCpuMsPerUnit:0.00} | {result.PeakRssMb:0} | {statuses} |");
        }

        Console.WriteLine();
        Console.WriteLine("Where the machine's CPU went, ms per unit (both systems share the cores with all of these; DCP runs OtpAuth's processes and reads their consoles):");
        Console.WriteLine();
        Console.WriteLine($"| workload | system | {string.Join(" | ", MachineCpu.Groups)} |");
        Console.WriteLine($"|---|---|{string.Concat(MachineCpu.Groups.Select(_ => "---:|"))}");
        foreach (var result in results)
        {
            var perUnit = result.MachineCpuMsPerUnit;
            Console.WriteLine($"| {result.Workload} | {result.Target} | {string.Join(" | ", MachineCpu.Groups.Select(g => perUnit.GetValueOrDefault(g).ToString("0.00", CultureInfo.InvariantCulture)))} |");
        }

        var byWorkload = results.GroupBy(r => r.Workload).Where(g => g.Count() == 2).ToList();
        if (byWorkload.Count > 0)
        {
            Console.WriteLine();
            // Each round's ratio beside the run's: the two systems ran one right after the other in it, so the rounds'
            // spread is the machine's drift within minutes, the margin a single figure has.
            Console.WriteLine("| workload | OtpAuth / Better Auth | each round |");
            Console.WriteLine("|---|---:|---|");
            foreach (var group in byWorkload)
            {
                var ours = group.Single(r => r.Target == "OtpAuth");
                var theirs = group.Single(r => r.Target != "OtpAuth");
                var rounds = string.Join(", ", ours.RoundRates.Zip(theirs.RoundRates, (a, b) => $"{a / b:0.00}×"));
                Console.WriteLine($"| {group.Key} | {ours.PerSecond / theirs.PerSecond:0.00}× | {rounds} |");
            }
        }
    }

    private static int StepOrder(string step) => step switch { "register" => 0, "mail" => 1, "verify" => 2, _ => 3 };

    private sealed class Peer(Process process, Uri address) : IDisposable
    {
        public Process Process => process;
        public Uri Address => address;

        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }

    /// <summary>The peer on the AppHost's PostgreSQL server (database peer_ba) and Redis, mailing the sink.</summary>
    private static async Task<Peer> StartPeerAsync(DistributedApplication app, string directory, int smtpPort, int cost)
    {
        var server = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("postgres"));
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = 'peer_ba'", connection);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand("CREATE DATABASE peer_ba", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        var redis = (await app.GetConnectionStringAsync("redis"))!.Split(',')[0].Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgres://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password!)}@127.0.0.1:{server.Port}/peer_ba",
            ["REDIS_URL"] = $"redis://{redis}",
            ["SMTP_HOST"] = "127.0.0.1",
            ["SMTP_PORT"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["BCRYPT_COST"] = cost.ToString(CultureInfo.InvariantCulture),
            ["RATE_LIMIT"] = "off",
            ["NODE_ENV"] = "production",
            ["BETTER_AUTH_SECRET"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        using (var migrate = StartNode(directory, "migrate.mjs", environment))
        {
            await migrate.WaitForExitAsync();
            if (migrate.ExitCode != 0)
            {
                throw new InvalidOperationException($"The peer's migration failed: {await migrate.StandardError.ReadToEndAsync()}");
            }
        }

        var process = StartNode(directory, "server.mjs", environment);
        var address = new Uri($"http://127.0.0.1:{port}");
        using var probe = new HttpClient { BaseAddress = address };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var ok = await probe.GetAsync("/api/auth/ok");
                Console.WriteLine($"The peer answers on {address} ({(int)ok.StatusCode}).");
                return new Peer(process, address);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The peer did not start listening within 20 s.");
    }

    private static Process StartNode(string directory, string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", script) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static string? FindPeer()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var peer = Path.Combine(directory.FullName, "OtpAuth.Benchmarks", "Load", "BetterAuth");
            if (Directory.Exists(peer))
            {
                return peer;
            }
        }

        return null;
    }

    /// <summary>
    /// The pid of the process whose command line names <paramref name="name"/> built in this checkout (the Api DCP
    /// started): another checkout's Api on the same machine (a test run beside the benchmark) is not the one measured.
    /// </summary>
    private static int FindProcess(string name)
    {
        var root = Path.GetDirectoryName(FindPeer()!.TrimEnd('/'))!; // …/OtpAuth.Benchmarks/Load
        root = Path.GetFullPath(Path.Combine(root, "..", "..")) + "/";
        return Directory.EnumerateDirectories("/proc")
            .Select(d => (Dir: d, Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0))
            .Where(p => p.Pid > 0)
            .FirstOrDefault(p =>
            {
                try
                {
                    var command = File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Replace('\0', ' ');
                    return (command.StartsWith(root, StringComparison.Ordinal) || command.Contains(" " + root, StringComparison.Ordinal))
                        && (command.Contains(name + ".dll", StringComparison.Ordinal) || command.Contains("/" + name + " ", StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            }).Pid;
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
