using System.Diagnostics;
using System.Security.Cryptography;
using OtpAuth.Bcrypt;

namespace OtpAuth.Benchmarks;

/// <summary>
/// Hashes per second on one thread, at the work factors around the Api's default, for the two bcrypts: BCrypt.Net-Next
/// alone, and OtpAuth.Bcrypt with 1, 2 and 4 keys in step. The keys are what enhanced mode feeds bcrypt (64 ASCII
/// characters). Rounds alternate between the paths, so a neighbour's load falls on all of them alike; per CPU-second
/// is this thread's own work, per wall second includes whatever the machine was doing besides.
/// </summary>
internal static class BcryptCost
{
    private const int Rounds = 3;
    private const int HashesPerRound = 4;
    private static readonly int[] WorkFactors = [4, 10, 12];

    private static readonly (string Name, Func<string[], BcryptSetting[], string[]> Hash)[] Paths =
    [
        ("BCrypt.Net-Next alone", (keys, settings) => keys.Select((key, i) => BCrypt.Net.BCrypt.HashPassword(key, settings[i].Text)).ToArray()),
        ("OtpAuth.Bcrypt alone", (keys, settings) => keys.Select((key, i) => InterleavedBcrypt.Hash(key, settings[i])).ToArray()),
        ("OtpAuth.Bcrypt, 2 in step", (keys, settings) => InterleavedBcrypt.Hash(keys[..2], settings[..2]).Concat(InterleavedBcrypt.Hash(keys[2..], settings[2..])).ToArray()),
        ("OtpAuth.Bcrypt, 4 in step", (keys, settings) => InterleavedBcrypt.Hash(keys, settings)),
    ];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"## bcrypt on one thread (hashes/s per CPU-second, per wall second in brackets; median of {Rounds} rounds of {HashesPerRound} hashes)");
        Console.WriteLine();
        Console.WriteLine("| work factor | " + string.Join(" | ", Paths.Select(path => path.Name)) + " |");
        Console.WriteLine("|---:|" + string.Concat(Paths.Select(_ => "---:|")));
        foreach (var workFactor in WorkFactors)
        {
            var perCpu = Paths.Select(_ => new List<double>()).ToArray();
            var perWall = Paths.Select(_ => new List<double>()).ToArray();
            foreach (var path in Paths)
            {
                Measure(path.Hash, 4); // warm up: the JIT's optimised code for every path
            }

            for (var round = 0; round < Rounds; round++)
            {
                for (var p = 0; p < Paths.Length; p++)
                {
                    var (cpu, wall) = Measure(Paths[p].Hash, workFactor);
                    perCpu[p].Add(HashesPerRound / cpu);
                    perWall[p].Add(HashesPerRound / wall);
                }
            }

            Console.WriteLine($"| {workFactor} | " + string.Join(" | ", Paths.Select((_, p) => $"{Stats.Median(perCpu[p]):0.00} ({Stats.Median(perWall[p]):0.00})")) + " |");
        }
    }

    private static (double CpuSeconds, double WallSeconds) Measure(Func<string[], BcryptSetting[], string[]> hash, int workFactor)
    {
        var keys = Enumerable.Range(0, HashesPerRound).Select(_ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))).ToArray();
        var settings = keys.Select(_ => BcryptSetting.Create(workFactor, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes))).ToArray();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        _ = hash(keys, settings);
        return ((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, wall.Elapsed.TotalSeconds);
    }
}
