using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// The most logins per second the Api's hashing threads can get through on this host: its own <see cref="HashingGate"/>
/// (the same threads, one per core unless <c>Password__MaxConcurrentHashes</c> says otherwise, the same hashes in step,
/// the same bcrypt and cost), run in this process with nothing else, fed by as many callers as the login workload has
/// clients, each verifying the right password against a stored hash again and again — a login's one bcrypt, without
/// the HTTP, the throttle, PostgreSQL and the session. Measured as the login workload is (verifications done over the
/// time until the last caller's last one came back), right before each of OtpAuth's login rounds and after the last,
/// while the servers are idle: logins/s over this bound is the share of the cores the service's own work leaves to bcrypt.
/// </summary>
internal static class HashingBound
{
    private const string Password = LoadRunner.Password;

    /// <summary>Verifications per second, and this process's CPU per verification in ms (steadier than the rate when a neighbour takes cores).</summary>
    public static async Task<(double PerSecond, double CpuMs)> HashesPerSecondAsync(int cost, int callers, TimeSpan duration)
    {
        var options = Options.Create(GateOptions(cost));
        var hasher = new PasswordHasher(options);
        using var gate = new HashingGate(options, hasher);
        var stored = hasher.Hash(Password);
        // Unmeasured first: the JIT's optimised code for the bcrypt loops, as the Api's is after its warm-up.
        await VerifyForAsync(gate, stored, callers, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds)));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (verified, elapsed) = await VerifyForAsync(gate, stored, callers, duration);
        return (verified / elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / verified);
    }

    /// <summary>The gate's settings as the Api under load has them: its defaults, with what LOAD_API_ENV changes of them.</summary>
    public static PasswordOptions GateOptions(int cost)
    {
        var options = new PasswordOptions { BcryptWorkFactor = cost, HashQueueLimit = 100_000 };
        foreach (var setting in (Environment.GetEnvironmentVariable("LOAD_API_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = setting.Split('=', 2) is [var n, var v] ? (n, v) : ("", "");
            if (name is "Password__MaxConcurrentHashes")
            {
                options.MaxConcurrentHashes = int.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name is "Password__InterleavedHashes")
            {
                options.InterleavedHashes = int.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return options;
    }

    public static string Describe(PasswordOptions options) =>
        $"{(options.MaxConcurrentHashes > 0 ? options.MaxConcurrentHashes : Environment.ProcessorCount)} hashing threads × {options.InterleavedHashes} in step";

    private static async Task<(long Verified, TimeSpan Elapsed)> VerifyForAsync(HashingGate gate, string stored, int callers, TimeSpan duration)
    {
        var verified = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                if (!await gate.VerifyAsync(Password, stored, CancellationToken.None))
                {
                    throw new InvalidOperationException("The hashing bound's verification failed: the password does not match its own hash.");
                }

                Interlocked.Increment(ref verified);
            }
        }));
        return (verified, watch.Elapsed);
    }
}
