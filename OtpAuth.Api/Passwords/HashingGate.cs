using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Passwords;

/// <summary>Every bcrypt slot and queue place is taken: the caller answers 503 with Retry-After instead of piling up.</summary>
public sealed class HashingBusyException() : Exception("Password hashing is at capacity.");

/// <summary>
/// Bounds bcrypt: at most <c>Password:MaxConcurrentHashes</c> at once (one per core), a short FIFO queue behind them,
/// and past that an immediate refusal. A login or register flood then costs the attacker 503s, while everything that
/// does no hashing (health, verify, resend, me) stays fast. The hashes run on threads of their own, one per permit,
/// not on the thread pool: a quarter second of CPU per hash on pool threads starved the I/O continuations (a cold Api
/// under load failed its first Redis connection; /health's tail under a flood was half a second).
/// </summary>
public sealed class HashingGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly BlockingCollection<Action> _work = new();
    private readonly int _queueLimit;

    public HashingGate(IOptions<PasswordOptions> options)
    {
        var cores = Environment.ProcessorCount;
        var permits = options.Value.MaxConcurrentHashes > 0 ? options.Value.MaxConcurrentHashes : cores;
        var queue = options.Value.HashQueueLimit >= 0 ? options.Value.HashQueueLimit : 2 * cores;
        _queueLimit = queue;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = queue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        for (var i = 0; i < permits; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"bcrypt-{i + 1}" }.Start();
        }
    }

    /// <summary>
    /// Throws <see cref="HashingBusyException"/> when, right now, every permit and queue place is taken. Flows call it
    /// before the round trips that come ahead of their hash (the login throttle, the send reservation, the account
    /// lookup): under a flood nearly every request is refused, and a refusal that first spent two Redis calls and a
    /// PostgreSQL query, only to give the throttle its count back, took the CPU the hashes and /health needed.
    /// </summary>
    public void ThrowIfFull()
    {
        var statistics = _limiter.GetStatistics();
        if (statistics is not null && statistics.CurrentAvailablePermits == 0 && statistics.CurrentQueuedCount >= _queueLimit)
        {
            throw new HashingBusyException();
        }
    }

    /// <summary>Runs <paramref name="work"/> under a permit, or throws <see cref="HashingBusyException"/> when none is to be had.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new HashingBusyException();
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        }, cancellationToken);
        return await done.Task;
    }

    private void Work()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _limiter.Dispose();
    }
}
