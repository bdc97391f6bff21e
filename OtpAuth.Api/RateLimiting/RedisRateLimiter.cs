using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OtpAuth.Api.RateLimiting;

/// <summary>Whether a request may go on, and if not, how long until it may.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateLimitDecision Allow = new(true, TimeSpan.Zero);
}

/// <summary>
/// Fixed-window counters in Redis, one key per (what, who): a window starts with its first request and lasts
/// <c>WindowSeconds</c>; every request inside it counts, refused ones included, so hammering does not pay. One Lua
/// step per check (count and read the remaining window together), so replicas and concurrent requests agree.
/// Key names carry only a policy and an opaque id: client IPs and addresses are HMAC'd before they become keys.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options)
{
    /// <summary>KEYS: counter. ARGV: limit, window seconds. Returns 0 when allowed, else the milliseconds to wait.</summary>
    private const string FixedWindowScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
        if count <= tonumber(ARGV[1]) then return 0 end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('EXPIRE', KEYS[1], ARGV[2])
          ttl = tonumber(ARGV[2]) * 1000
        end
        return ttl
        """;

    public bool Enabled => options.Value.Enabled;

    /// <summary>Counts one request against <paramref name="limit"/> per <paramref name="window"/> for the key.</summary>
    public async Task<RateLimitDecision> TryAcquireAsync(string key, int limit, TimeSpan window)
    {
        if (!Enabled)
        {
            return RateLimitDecision.Allow;
        }

        var waitMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(
            FixedWindowScript,
            [(RedisKey)("otpauth:rl:" + key)],
            [limit, (long)window.TotalSeconds]);
        return waitMs == 0 ? RateLimitDecision.Allow : new RateLimitDecision(false, TimeSpan.FromMilliseconds(waitMs));
    }

    /// <summary>One mail of the global per-minute budget (<c>RateLimits:MailsPerMinute</c>).</summary>
    public Task<RateLimitDecision> TryAcquireMailAsync() =>
        TryAcquireAsync("mail", options.Value.MailsPerMinute, TimeSpan.FromSeconds(60));
}
