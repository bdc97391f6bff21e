using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Passwords;

/// <summary>Every bcrypt slot and queue place is taken: the caller answers 503 with Retry-After instead of piling up.</summary>
public sealed class HashingBusyException() : Exception("Password hashing is at capacity.");

/// <summary>
/// Bounds the CPU-heavy password work (bcrypt, the strength estimate): at most <c>Password:MaxConcurrentHashes</c> at
/// once (one per core), a short FIFO queue behind them, and past that an immediate refusal. A login or register flood
/// then costs the attacker 503s, while everything that does no hashing (health, verify, resend, me) keeps its threads
/// and CPU and stays fast. The work itself runs on the thread pool under the permit.
/// </summary>
public sealed class HashingGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public HashingGate(IOptions<PasswordOptions> options)
    {
        var cores = Environment.ProcessorCount;
        var permits = options.Value.MaxConcurrentHashes > 0 ? options.Value.MaxConcurrentHashes : cores;
        var queue = options.Value.HashQueueLimit >= 0 ? options.Value.HashQueueLimit : 2 * cores;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = queue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Runs <paramref name="work"/> under a permit, or throws <see cref="HashingBusyException"/> when none is to be had.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new HashingBusyException();
        }

        return await Task.Run(work, cancellationToken);
    }

    public void Dispose() => _limiter.Dispose();
}
