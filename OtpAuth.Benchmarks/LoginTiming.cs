using System.Net.Http.Json;

namespace OtpAuth.Benchmarks;

/// <summary>
/// Whether login time tells an attacker that an address has an account: an unknown address against a known address
/// with a wrong password, interleaved so both see the same machine load.
/// </summary>
internal static class LoginTiming
{
    private const int Pairs = 30;

    public static async Task RunAsync(SystemUnderTest system)
    {
        var known = await system.CreateVerifiedAccountAsync();
        var unknownTimes = new List<double>();
        var knownTimes = new List<double>();
        for (var i = 0; i < Pairs; i++)
        {
            unknownTimes.Add(await SystemUnderTest.TimeAsync(() =>
                system.Api.PostAsJsonAsync("/auth/login", new { email = SystemUnderTest.NewEmail("nobody"), password = "wrong password 1" })));
            knownTimes.Add(await SystemUnderTest.TimeAsync(() =>
                system.Api.PostAsJsonAsync("/auth/login", new { email = known, password = $"wrong password {i % 3}" })));
        }

        var unknown = Stats.Median(unknownTimes);
        var wrong = Stats.Median(knownTimes);
        Console.WriteLine();
        Console.WriteLine($"## Login timing: unknown address vs known address with a wrong password ({Pairs} each, interleaved)");
        Console.WriteLine();
        Console.WriteLine("| case | median ms | p90 ms |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| unknown address | {unknown:0.0} | {Stats.Percentile(unknownTimes, 90):0.0} |");
        Console.WriteLine($"| known address, wrong password | {wrong:0.0} | {Stats.Percentile(knownTimes, 90):0.0} |");
        Console.WriteLine();
        Console.WriteLine($"Difference of medians: {Math.Abs(unknown - wrong):0.0} ms = {Math.Abs(unknown - wrong) / wrong:P1} of a login.");
    }
}
