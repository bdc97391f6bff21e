using System.Diagnostics;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Benchmarks;

/// <summary>
/// What one bcrypt hash costs on this machine at each work factor, in the Api's mode (enhanced, SHA-384), for both
/// implementations: BCrypt.Net-Next (managed) and the system's libxcrypt (what the Api uses when it is present).
/// </summary>
internal static class BcryptCost
{
    private const int Samples = 7;

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
