using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OtpAuth.Bcrypt;

namespace OtpAuth.Api.Passwords;

/// <summary>Every bcrypt slot and queue place is taken: the caller answers 503 with Retry-After instead of piling up.</summary>
public sealed class HashingBusyException() : Exception("Password hashing is at capacity.");

/// <summary>
/// Where requests hash and check passwords. bcrypt runs on threads of its own, <c>Password:MaxConcurrentHashes</c> of
/// them (one per core), not on the thread pool, so its CPU-bound work never delays the I/O continuations. Each thread
/// computes up to <c>Password:InterleavedHashes</c> requests in step (<see cref="BcryptLanes"/>), taking in the ones
/// that wait between two rounds: under load a core gets through more hashes, and a request alone is computed alone.
/// Past those and a short FIFO queue (<c>Password:HashQueueLimit</c>) a request is refused at once, so a login or
/// register flood costs the attacker 503s while everything that does no hashing (health, verify, resend, me) stays fast.
/// </summary>
public sealed class HashingGate : IDisposable
{
    private readonly PasswordHasher _hasher;
    private readonly ConcurrencyLimiter _places;
    private readonly BlockingCollection<Job> _work = new();
    private readonly int _lanes;

    public HashingGate(IOptions<PasswordOptions> options, PasswordHasher hasher)
    {
        _hasher = hasher;
        var cores = Environment.ProcessorCount;
        var threads = options.Value.MaxConcurrentHashes > 0 ? options.Value.MaxConcurrentHashes : cores;
        _lanes = options.Value.InterleavedHashes;
        var queueLimit = options.Value.HashQueueLimit >= 0 ? options.Value.HashQueueLimit : 2 * cores;
        // One place per hash being computed and per queue place, taken or refused at once. Every admitted hash waits in
        // _work itself, not in a limiter's queue, where a thread with a free lane finds it at its next round.
        _places = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = threads * _lanes + queueLimit,
            QueueLimit = 0,
        });
        for (var i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"bcrypt-{i + 1}" }.Start();
        }
    }

    /// <summary>
    /// Throws <see cref="HashingBusyException"/> when, right now, every hashing lane and queue place is taken. Flows call
    /// it before the round trips that come ahead of their hash (the login throttle, the send reservation, the account
    /// lookup): under a flood nearly every request is refused, and a refusal that first spent two Redis calls and a
    /// PostgreSQL query, only to give the throttle its count back, took the CPU the hashes and /health needed.
    /// </summary>
    public void ThrowIfFull()
    {
        if (_places.GetStatistics() is { CurrentAvailablePermits: 0 })
        {
            throw new HashingBusyException();
        }
    }

    /// <summary>A new hash of an NFC-normalized password, at the configured work factor.</summary>
    public Task<string> HashAsync(string normalizedPassword, CancellationToken cancellationToken) =>
        ComputeAsync(PasswordHasher.EnhancedKey(normalizedPassword), _hasher.NewSetting(), cancellationToken);

    /// <summary>Whether an NFC-normalized password is the one behind <paramref name="hash"/>; false for a value that is no bcrypt hash.</summary>
    public async Task<bool> VerifyAsync(string normalizedPassword, string hash, CancellationToken cancellationToken) =>
        BcryptSetting.TryParse(hash, out var setting)
        && PasswordHasher.Matches(await ComputeAsync(PasswordHasher.EnhancedKey(normalizedPassword), setting, cancellationToken), hash);

    /// <summary>Spends the time of one verification (against the dummy hash) and always answers false.</summary>
    public async Task<bool> VerifyAgainstDummyAsync(string normalizedPassword, CancellationToken cancellationToken)
    {
        _ = await VerifyAsync(normalizedPassword, _hasher.DummyHash, cancellationToken);
        return false;
    }

    /// <summary>
    /// A cancelled request whose hash has not started gives its place back at once and is skipped; one being computed
    /// keeps its lane until its rounds end.
    /// </summary>
    private async Task<string> ComputeAsync(string key, BcryptSetting setting, CancellationToken cancellationToken)
    {
        var place = _places.AttemptAcquire();
        if (!place.IsAcquired)
        {
            place.Dispose();
            throw new HashingBusyException();
        }

        var job = new Job(key, setting, place);
        await using (cancellationToken.UnsafeRegister(static (state, token) => ((Job)state!).CancelIfWaiting(token), job))
        {
            _work.Add(job, CancellationToken.None);
            return await job.Done.Task;
        }
    }

    /// <summary>
    /// A hashing thread: it blocks only while it computes nothing. Between two rounds of the key schedule it takes
    /// whatever waits into its free lanes, so a request that comes while every thread is busy joins a lane within a
    /// round instead of waiting for a whole batch to end; an idle thread, blocked on the queue, is woken first.
    /// </summary>
    private void Work()
    {
        using var lanes = new BcryptLanes(_lanes);
        var finished = new List<(object Tag, string Hash)>(_lanes);
        while (true)
        {
            if (lanes.Count == 0)
            {
                if (!_work.TryTake(out var first, Timeout.Infinite))
                {
                    return; // the gate is disposed
                }

                Admit(lanes, first);
            }

            while (lanes.Count < lanes.Capacity && _work.TryTake(out var next))
            {
                Admit(lanes, next);
            }

            lanes.Step(finished);
            foreach (var (job, hash) in finished)
            {
                ((Job)job).Finish(hash);
            }

            finished.Clear();
        }
    }

    /// <summary>A job skipped while waiting (cancelled) takes no lane; one whose key bcrypt refuses fails alone.</summary>
    private static void Admit(BcryptLanes lanes, Job job)
    {
        if (!job.TryStart())
        {
            return;
        }

        try
        {
            lanes.Add(job.Key, job.Setting, job);
        }
        catch (Exception exception)
        {
            job.Fail(exception);
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _places.Dispose();
    }

    /// <summary>One hash to compute, and the place it holds until it is computed or skipped.</summary>
    private sealed class Job(string key, BcryptSetting setting, RateLimitLease place)
    {
        private const int Waiting = 0, Started = 1, Cancelled = 2;
        private int _state;

        public string Key => key;

        public BcryptSetting Setting => setting;

        public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

        public void CancelIfWaiting(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
            {
                place.Dispose();
                Done.TrySetCanceled(token);
            }
        }

        public void Finish(string hash)
        {
            place.Dispose();
            Done.TrySetResult(hash);
        }

        public void Fail(Exception exception)
        {
            place.Dispose();
            Done.TrySetException(exception);
        }
    }
}
