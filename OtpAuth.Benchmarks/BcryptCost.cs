using System.Diagnostics;

namespace OtpAuth.Benchmarks;

/// <summary>What one bcrypt hash costs on this machine at each work factor (the Api's mode: enhanced, SHA-384).</summary>
internal static class BcryptCost
{
    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("## bcrypt cost (one hash, BCrypt.Net-Next enhanced SHA-384, median of 5)");
        Console.WriteLine();
        Console.WriteLine("| work factor | ms per hash | hashes/s per core |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var workFactor in new[] { 10, 11, 12, 13 })
        {
            var times = Enumerable.Range(0, 5).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                BCrypt.Net.BCrypt.EnhancedHashPassword("correct horse battery staple", workFactor, BCrypt.Net.HashType.SHA384);
                return watch.Elapsed.TotalMilliseconds;
            }).ToList();
            var median = Stats.Median(times);
            Console.WriteLine($"| {workFactor} | {median:0} | {1000 / median:0.0} |");
        }
    }
}
