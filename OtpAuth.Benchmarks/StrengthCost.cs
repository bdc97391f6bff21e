using System.Diagnostics;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Benchmarks;

/// <summary>
/// What one password-strength estimate costs, in CPU time and allocations on the calling thread: zxcvbn-core's stock
/// estimator against the Api's (<see cref="PasswordPolicy.Estimate"/>, our dictionary and l33t matchers), which give
/// the same result (StrengthMatchersTests).
/// </summary>
internal static class StrengthCost
{
    private const int Runs = 300;
    private const string Email = "someone.new@example.com";

    private static readonly string[] Passwords =
    [
        "correct horse battery staple", // the load benchmark's password: words, no l33t stand-ins
        "Tr0ub4dor&3", // stand-ins, several substitution maps
        "p4ssw0rd!2024",
        "n8#Kq2vL!x7Rt0$w@Z5m|G1b(Y9e%J4f&U6s", // 36 random characters, many stand-ins
        "violet tractor lagoon and a longer tail1", // 40 characters
        "n8#Kq2vL!x7Rt0$w@Z5m|G1b(Y9e%J4f&U6sQ3hD8pW2cE7k", // 48 random characters: the longest the policy estimates
    ];

    public static void Run()
    {
        // What the Api keeps for the life of the process once the first registration loaded the word lists.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        PasswordPolicy.Estimate("first", Email);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        // Free space left in the large-object heap stays committed (and resident) until that heap is compacted.
        var largeObjects = GC.GetGCMemoryInfo().GenerationInfo[3];

        var stock = new Zxcvbn.Zxcvbn();
        var beforeStock = GC.GetTotalMemory(forceFullCollection: true);
        stock.EvaluatePassword("first", PasswordPolicy.UserInputs(Email));
        var heldStock = GC.GetTotalMemory(forceFullCollection: true) - beforeStock;
        Console.WriteLine();
        Console.WriteLine($"Heap held by the loaded word lists: ours {held / 1048576.0:0.0} MB, zxcvbn-core's {heldStock / 1048576.0:0.0} MB.");
        Console.WriteLine($"Large-object heap after ours loaded: {largeObjects.SizeAfterBytes / 1048576.0:0.0} MB, of it free space {largeObjects.FragmentationAfterBytes / 1048576.0:0.0} MB.");
        GC.KeepAlive(stock);
        Console.WriteLine();
        Console.WriteLine($"## Password-strength estimate (one call, median of {Runs} after a warm-up; µs of wall time on an idle machine and KB allocated)");
        Console.WriteLine();
        Console.WriteLine("| password (length) | zxcvbn-core µs | ours µs | zxcvbn-core KB | ours KB | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var password in Passwords)
        {
            var inputs = PasswordPolicy.UserInputs(Email);
            var (stockMicros, stockKb) = Measure(() => stock.EvaluatePassword(password, inputs));
            var (oursMicros, oursKb) = Measure(() => PasswordPolicy.Estimate(password, Email));
            Console.WriteLine(
                $"| `{password}` ({password.Length}) | {stockMicros:0} | {oursMicros:0} | {stockKb:0} | {oursKb:0} | {stockMicros / oursMicros:0.0}× |");
        }
    }

    private static (double Micros, double Kilobytes) Measure(Func<Zxcvbn.Result> estimate)
    {
        for (var k = 0; k < 50; k++)
        {
            estimate(); // warm-up: the word lists load and the hot methods reach their optimised tier
        }

        var micros = new List<double>(Runs);
        var bytes = new List<double>(Runs);
        for (var k = 0; k < Runs; k++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            estimate();
            micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            bytes.Add(GC.GetAllocatedBytesForCurrentThread() - allocated);
        }

        return (Stats.Median(micros), Stats.Median(bytes) / 1024);
    }
}
