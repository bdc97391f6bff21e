using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace OtpAuth.Benchmarks;

/// <summary>
/// Does the service stay responsive while login is flooded? Workers send logins as fast as they are answered for a
/// fixed time while a probe samples /health and a verify every 100 ms; compared with the same probe at rest.
/// </summary>
internal static class LoginFlood
{
    private const int Workers = 32;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(SystemUnderTest system)
    {
        var victim = await system.CreateVerifiedAccountAsync();
        var atRest = await ProbeAsync(system, TimeSpan.FromSeconds(5), CancellationToken.None);

        using var flood = new CancellationTokenSource(Duration);
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var floodClient = new HttpClient { BaseAddress = system.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var workers = Enumerable.Range(0, Workers).Select(async worker =>
        {
            while (!flood.IsCancellationRequested)
            {
                try
                {
                    using var response = await floodClient.PostAsJsonAsync("/auth/login",
                        new { email = worker % 2 == 0 ? victim : SystemUnderTest.NewEmail("flood"), password = "not the password" }, flood.Token);
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }).ToList();
        var underFlood = await ProbeAsync(system, Duration - TimeSpan.FromSeconds(1), CancellationToken.None);
        await Task.WhenAll(workers);

        Console.WriteLine();
        Console.WriteLine($"## Login flood: {Workers} concurrent workers for {Duration.TotalSeconds:0} s");
        Console.WriteLine();
        Console.WriteLine("Flood answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key} × {s.Value}")) +
            $" ({statuses.Values.Sum() / Duration.TotalSeconds:0} requests/s)");
        Console.WriteLine();
        Console.WriteLine("| probe | at rest median ms | at rest p95 ms | under flood median ms | under flood p95 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var name in atRest.Keys)
        {
            Console.WriteLine($"| {name} | {Stats.Median(atRest[name]):0.0} | {Stats.Percentile(atRest[name], 95):0.0} | " +
                $"{Stats.Median(underFlood[name]):0.0} | {Stats.Percentile(underFlood[name], 95):0.0} |");
        }
    }

    private static async Task<Dictionary<string, List<double>>> ProbeAsync(SystemUnderTest system, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { BaseAddress = system.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var results = new Dictionary<string, List<double>> { ["GET /health"] = [], ["POST /auth/verify-otp (wrong code)"] = [] };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            results["GET /health"].Add(await SystemUnderTest.TimeAsync(() => probe.GetAsync("/health", cancellationToken)));
            results["POST /auth/verify-otp (wrong code)"].Add(await SystemUnderTest.TimeAsync(() =>
                probe.PostAsJsonAsync("/auth/verify-otp", new { email = SystemUnderTest.NewEmail("probe"), code = "000000", registration_id = Guid.CreateVersion7() }, cancellationToken)));
            await Task.Delay(100, cancellationToken);
        }

        return results;
    }
}
