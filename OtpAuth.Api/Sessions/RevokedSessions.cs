using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Tokens;
using OtpAuth.Api.Users;
using StackExchange.Redis;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// Revoked session ids, so that every replica refuses their access tokens with one Redis round trip per request.
/// PostgreSQL (<see cref="Session.RevokedAt"/>) is the record and Redis a cache of it, each entry kept as long as an access
/// token of the session can still be valid (its lifetime plus the clock skew). Redis may lose the cache (a restart
/// without persistence, a flush): a marker key says the cache is complete, and while it is missing every check asks
/// PostgreSQL and one check at a time refills the cache from it. Redis may lose it again while a refill writes: the
/// refill first leaves a key of its own, and sets the marker only if that key is still there, so a cache that lost
/// entries mid-refill is never marked complete.
/// </summary>
public sealed partial class RevokedSessions(
    IConnectionMultiplexer redis, IServiceScopeFactory scopes, IOptions<JwtOptions> jwt, TimeProvider clock, ILogger<RevokedSessions> logger)
{
    // One hash tag, so the check can read the marker and the session's entry in one script on a Redis Cluster too.
    private const string Prefix = "otpauth:{revoked-sessions}:";
    private static readonly RedisKey Complete = Prefix + "complete";
    private static readonly RedisKey Refilling = Prefix + "refilling";

    /// <summary>KEYS: the refill's key, the marker. ARGV: this refill's id. Marks the cache complete only if the refill's key survived.</summary>
    private const string CompleteScript = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[2], '1')
        redis.call('DEL', KEYS[1])
        return 1
        """;

    /// <summary>KEYS: the session's entry, the marker. 1 revoked, 0 not, 2 unknown (the cache is not complete).</summary>
    private const string CheckScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
        if redis.call('EXISTS', KEYS[2]) == 0 then return 2 end
        return 0
        """;

    private int _refilling;
    private int _forgetting;
    private long _failedWrites;

    private TimeSpan Memory => jwt.Value.AccessTokenLifetime + TokenIssuer.ClockSkew;

    /// <summary>
    /// Adds sessions already revoked in PostgreSQL to the cache. When a write fails, the cache no longer says it is
    /// complete (nor may a refill that read PostgreSQL before the revocation make it say so), so every check asks
    /// PostgreSQL until a refill brings the revocation in; the failure still goes to the caller.
    /// </summary>
    public async Task RevokeAsync(IEnumerable<Guid> sessionIds)
    {
        var database = redis.GetDatabase();
        try
        {
            await Task.WhenAll(sessionIds.Select(id => database.StringSetAsync(Key(id), "1", Memory)));
        }
        // StackExchange.Redis's timeout is a TimeoutException, not a RedisException: a write that timed out may never
        // have reached Redis either.
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            ForgetCompleteness();
            throw;
        }
    }

    /// <summary>
    /// Starts the one loop that deletes the marker and any refill's key, unless it runs already: a failure while it runs
    /// is counted, and the loop deletes once more after it. Without the request's execution context, so the loop keeps
    /// none of the request's telemetry alive.
    /// </summary>
    private void ForgetCompleteness()
    {
        Interlocked.Increment(ref _failedWrites);
        if (Interlocked.Exchange(ref _forgetting, 1) == 1)
        {
            return;
        }

        // Called, not queued: its first delete is sent before the failure reaches the caller.
        using (ExecutionContext.SuppressFlow())
        {
            _ = ForgetCompletenessAsync();
        }
    }

    /// <summary>
    /// Tried again every second while Redis cannot be reached: a Redis that comes back with its data would otherwise
    /// still say it is complete without the revocation. Past the entries' lifetime after the last failed write, the
    /// revocations no longer matter (their sessions' access tokens have expired).
    /// </summary>
    private async Task ForgetCompletenessAsync()
    {
        long seen = -1;
        var until = DateTimeOffset.MinValue;
        var warned = false; // once per outage, not every second of it
        while (true)
        {
            var failures = Volatile.Read(ref _failedWrites);
            if (failures != seen)
            {
                seen = failures;
                until = clock.GetUtcNow() + Memory;
            }

            try
            {
                await redis.GetDatabase().KeyDeleteAsync([Complete, Refilling]);
                LogCompletenessForgotten();
            }
            catch (Exception exception) when ((exception is RedisException or TimeoutException) && clock.GetUtcNow() < until)
            {
                if (!warned)
                {
                    LogForgetFailed(exception.GetType().Name);
                    warned = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), clock);
                continue;
            }
            catch (Exception exception)
            {
                LogForgetAbandoned(exception.GetType().Name); // past the revocations' lifetime, or shutting down
            }

            Volatile.Write(ref _forgetting, 0);
            // A write that failed after this delete was sent found the loop running and left its failure to it.
            if (Volatile.Read(ref _failedWrites) == seen || Interlocked.Exchange(ref _forgetting, 1) == 1)
            {
                return;
            }
        }
    }

    /// <summary>Whether the session was revoked (or no longer exists); from PostgreSQL while the cache is incomplete.</summary>
    public async Task<bool> IsRevokedAsync(Guid sessionId, OtpAuthDbContext db, CancellationToken cancellationToken)
    {
        var answer = (long)await redis.GetDatabase().ScriptEvaluateAsync(CheckScript, [Key(sessionId), Complete]);
        if (answer != 2)
        {
            return answer == 1;
        }

        StartRefill();
        return !await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.RevokedAt == null, cancellationToken);
    }

    /// <summary>
    /// Writes every revocation that can still matter into the cache, then the marker. A revocation committed after the
    /// read is written by its own request, which writes the cache after its commit, so none is missed.
    /// </summary>
    private void StartRefill()
    {
        if (Interlocked.Exchange(ref _refilling, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var database = redis.GetDatabase();
                // Before the read: a loss of Redis's data after this point takes this key with it.
                var refill = Guid.NewGuid().ToString("N");
                await database.StringSetAsync(Refilling, refill, TimeSpan.FromMinutes(5));
                var now = clock.GetUtcNow();
                var since = now - Memory;
                List<(Guid Id, DateTimeOffset RevokedAt)> revoked;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
                    revoked = (await db.Sessions.AsNoTracking().Where(s => s.RevokedAt > since)
                        .Select(s => new { s.Id, RevokedAt = s.RevokedAt!.Value }).ToListAsync())
                        .Select(s => (s.Id, s.RevokedAt)).ToList();
                }

                await Task.WhenAll(revoked.Select(s => database.StringSetAsync(Key(s.Id), "1", TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, (s.RevokedAt + Memory - now).Ticks)))));
                if ((long)await database.ScriptEvaluateAsync(CompleteScript, [Refilling, Complete], [refill]) == 1)
                {
                    LogRefilled(revoked.Count);
                }
                else
                {
                    // Redis lost data while this refill wrote (or another refill began since): not complete; the next
                    // check that finds the marker missing starts another.
                    LogRefillOvertaken();
                }
            }
            catch (Exception exception) when (exception is RedisException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogRefillFailed(exception.GetType().Name);
            }
            finally
            {
                Volatile.Write(ref _refilling, 0);
            }
        });
    }

    private static RedisKey Key(Guid sessionId) => $"{Prefix}{sessionId:N}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Refilled the revoked-session cache in Redis from PostgreSQL: {Count} sessions")]
    private partial void LogRefilled(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis lost data while the revoked-session cache was refilled; PostgreSQL answers until the next refill")]
    private partial void LogRefillOvertaken();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refill the revoked-session cache ({ErrorType}); PostgreSQL answers meanwhile")]
    private partial void LogRefillFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A revocation could not be written to the revoked-session cache; the cache is marked incomplete, PostgreSQL answers until it is refilled")]
    private partial void LogCompletenessForgotten();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A revocation could not be written to the revoked-session cache, nor the cache marked incomplete ({ErrorType}); trying again every second")]
    private partial void LogForgetFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped trying to mark the revoked-session cache incomplete ({ErrorType}): the revocations it missed have outlived their access tokens, or the Api is stopping")]
    private partial void LogForgetAbandoned(string errorType);
}
