using Microsoft.Extensions.Options;
using OtpAuth.Api.Security;
using StackExchange.Redis;

namespace OtpAuth.Api.RateLimiting;

/// <summary>Whether a request may go on, and if not, how long until it may.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateLimitDecision Allow = new(true, TimeSpan.Zero);
}

/// <summary>Which mail budget refused a mail (<see cref="RedisRateLimiter.TryAcquireMailAsync"/>).</summary>
public enum MailBudget
{
    /// <summary>None: the mail may go.</summary>
    None,

    /// <summary>The network's share of the shared budget (<c>RateLimits:MailsPerNetworkPerMinute</c>).</summary>
    NetworkShare,

    /// <summary>The shared budget (<c>RateLimits:MailsPerMinute</c>).</summary>
    Shared,

    /// <summary>The ceiling on every mail (<c>RateLimits:MailsPerMinuteCeiling</c>).</summary>
    Ceiling,
}

/// <summary>Whether a mail may go, and if not, which budget refused it and how long until it may.</summary>
public readonly record struct MailBudgetDecision(bool Allowed, TimeSpan RetryAfter, MailBudget RefusedBy);

/// <summary>
/// Fixed-window counters in Redis, one key per (what, who): a window starts with its first request and lasts
/// <c>WindowSeconds</c>; every request inside it counts, refused ones included, so hammering does not pay. One Lua
/// step per check (count and read the remaining window together), so replicas and concurrent requests agree.
/// Key names carry only a policy and an opaque id: client IPs and addresses are HMAC'd before they become keys.
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, IOpaqueIds hasher)
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

    /// <summary>
    /// KEYS: ceiling counter, shared counter, the network's share counter, the network's first-mail marker. ARGV: ceiling,
    /// shared budget, share, window seconds, marker seconds. Returns {0, 0} when the mail may go, else {milliseconds to
    /// wait, 1 share / 2 shared / 3 ceiling}. Every counter is read before any is counted, so a refused mail spends
    /// nothing (it does not push a window on, and a flood's refused mails leave the budgets to others). GET, SET EX,
    /// INCR, EXPIRE, PTTL and EXISTS only: Redis and Garnet both run it.
    /// </summary>
    private const string MailScript = """
        local window = tonumber(ARGV[4])
        local function spent(key, limit)
          return tonumber(redis.call('GET', key) or '0') >= tonumber(limit)
        end
        local function wait(key)
          local ttl = redis.call('PTTL', key)
          if ttl < 0 then
            redis.call('EXPIRE', key, window)
            ttl = window * 1000
          end
          return ttl
        end
        local function take(key)
          if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, window) end
        end
        if spent(KEYS[1], ARGV[1]) then return {wait(KEYS[1]), 3} end
        local first = redis.call('EXISTS', KEYS[4]) == 0
        if not first then
          if spent(KEYS[3], ARGV[3]) then return {wait(KEYS[3]), 1} end
          if spent(KEYS[2], ARGV[2]) then return {wait(KEYS[2]), 2} end
        end
        take(KEYS[1])
        if first then
          redis.call('SET', KEYS[4], '1', 'EX', ARGV[5])
        else
          take(KEYS[3])
          take(KEYS[2])
        end
        return {0, 0}
        """;

    private static readonly TimeSpan MailWindow = TimeSpan.FromMinutes(1);

    /// <summary>How long a network's first mail keeps it from having another one outside the shared budget.</summary>
    private static readonly TimeSpan FirstMailPeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// One mail for a client in <paramref name="client"/> (its networks, narrowest first). The client counts as its
    /// widest network, an IPv4 address or an IPv6 /48: one allocation is one network, not 65,536 /64s. A network's first
    /// mail of the hour is bounded only by the ceiling (<c>RateLimits:MailsPerMinuteCeiling</c>), so a flood from other
    /// networks never keeps a newcomer from its code; every other mail takes from the shared budget
    /// (<c>RateLimits:MailsPerMinute</c>) within the network's share of it (<c>RateLimits:MailsPerNetworkPerMinute</c>).
    /// </summary>
    public async Task<MailBudgetDecision> TryAcquireMailAsync(IReadOnlyList<ClientNetwork> client)
    {
        if (!Enabled)
        {
            return new MailBudgetDecision(true, TimeSpan.Zero, MailBudget.None);
        }

        var limits = options.Value;
        var networkId = hasher.OpaqueId("ip", client[^1].Key);
        // One hash tag: the four keys of one script must share a cluster slot.
        const string prefix = "otpauth:rl:{mail}:";
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            MailScript,
            [prefix + "all", prefix + "shared", $"{prefix}net:{networkId}", $"{prefix}first:{networkId}"],
            [limits.MailCeiling, limits.MailsPerMinute, limits.NetworkMailShare, (long)MailWindow.TotalSeconds, (long)FirstMailPeriod.TotalSeconds]))!;
        var waitMs = (long)result[0];
        return waitMs == 0 && (long)result[1] == 0
            ? new MailBudgetDecision(true, TimeSpan.Zero, MailBudget.None)
            : new MailBudgetDecision(false, TimeSpan.FromMilliseconds(Math.Max(waitMs, 1)), (MailBudget)(long)result[1]);
    }
}
