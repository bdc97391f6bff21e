using System.Diagnostics;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Benchmarks;

/// <summary>
/// What one bcrypt hash costs on this machine at each work factor, in the Api's mode (enhanced, SHA-384), for both
/// implementations: BCrypt.Net-Next (managed) and the system's libxcrypt (what the Api uses for a hash alone when it
/// is present); then what one core gets through under load, where the Api computes waiting hashes together.
/// </summary>
internal static class BcryptCost
{
    private const int Samples = 7;
    private static readonly int[] LaneCounts = [1, 2, 4];
    private static readonly int[] LoadWorkFactors = [4, 10, 12];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"## bcrypt cost (one hash, enhanced SHA-384, median of {Samples}; the Api uses {PasswordHasher.Implementation})");
        Console.WriteLine();
        Console.WriteLine("| work factor | BCrypt.Net-Next ms | libxcrypt ms | libxcrypt / BCrypt.Net-Next |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var workFactor in new[] { 4, 10, 11, 12, 13 })
        {
            var managed = Median(() => BCrypt.Net.BCrypt.EnhancedHashPassword("correct horse battery staple", workFactor, BCrypt.Net.HashType.SHA384));
            var hasher = new PasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = workFactor }));
            var native = PasswordHasher.Implementation == "libxcrypt" ? Median(() => hasher.Hash("correct horse battery staple")) : double.NaN;
            Console.WriteLine($"| {workFactor} | {managed:0.00} | {native:0.00} | {native / managed:0.00} |");
        }
    }


    /// <summary>
    /// Hashes per second on one core as the Api computes them under load: one hashing thread, <c>Password:InterleavedHashes</c>
    /// 1, 2 and 4, with 32 hashes waiting at once. The "alone" column above is what a request with no company waits.
    /// </summary>
    public static void RunInterleaved()
    {
        const int Burst = 32;
        Console.WriteLine();
        Console.WriteLine($"## bcrypt under load (one hashing thread, {Burst} hashes waiting at once, ms of wall time per hash, median of 3)");
        Console.WriteLine();
        Console.WriteLine("| work factor | one at a time | 2 interleaved | 4 interleaved | 4 interleaved / one at a time |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var workFactor in LoadWorkFactors)
        {
            var perHash = LaneCounts.Select(lanes =>
            {
                var options = Options.Create(new PasswordOptions
                {
                    BcryptWorkFactor = workFactor, MaxConcurrentHashes = 1, InterleavedHashes = lanes, HashQueueLimit = Burst,
                });
                using var gate = new HashingGate(options, new PasswordHasher(options));
                RunBurst(gate, lanes); // warm up
                return Stats.Median(Enumerable.Range(0, 3).Select(_ => RunBurst(gate, Burst) / Burst).ToList());
            }).ToArray();
            Console.WriteLine($"| {workFactor} | {perHash[0]:0.00} | {perHash[1]:0.00} | {perHash[2]:0.00} | {perHash[2] / perHash[0]:0.00} |");
        }
    }

    private static double RunBurst(HashingGate gate, int count)
    {
        var watch = Stopwatch.StartNew();
        Task.WaitAll(Enumerable.Range(0, count).Select(i => gate.HashAsync($"correct horse battery staple {i}", CancellationToken.None)));
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(Func<string> hash)
    {
        hash(); // warm up: JIT, first allocation of the native work buffer
        return Stats.Median(Enumerable.Range(0, Samples).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            hash();
            return watch.Elapsed.TotalMilliseconds;
        }).ToList());
    }
}
