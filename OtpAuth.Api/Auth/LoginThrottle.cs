using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Otp;
using StackExchange.Redis;

namespace OtpAuth.Api.Auth;

public sealed class LoginOptions
{
    public const string SectionName = "Login";

    /// <summary>Wrong passwords per address per hour before login answers 429 (NIST SP 800-63B rate limiting).</summary>
    [Range(1, 10_000, ErrorMessage = "Login:MaxFailuresPerHour must be between 1 and 10000.")]
    public int MaxFailuresPerHour { get; set; } = 10;
}

/// <summary>
/// Counts wrong passwords per normalized address in Redis, whether or not the address has an account (so a 429 says
/// nothing about existence), in a one-hour window that starts with the first failure.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, OtpHasher hasher, IOptions<LoginOptions> options)
{
    private const int WindowSeconds = 3600;

    private const string CheckLimitScript = """
        if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then return 0 end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 then return ttl end
        return 1000
        """;

    private const string CountFailureScript = """
        if redis.call('INCR', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        return 1
        """;

    /// <summary>Zero while the address may try again, else how long until it may.</summary>
    public async Task<TimeSpan> GetLockoutAsync(string email)
    {
        var waitMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(
            CheckLimitScript, [KeyFor(email)], [options.Value.MaxFailuresPerHour]);
        return TimeSpan.FromMilliseconds(waitMs);
    }

    public Task RecordFailureAsync(string email) =>
        redis.GetDatabase().ScriptEvaluateAsync(CountFailureScript, [KeyFor(email)], [WindowSeconds]);

    public Task ResetAsync(string email) => redis.GetDatabase().KeyDeleteAsync(KeyFor(email));

    private RedisKey KeyFor(string email) => $"otpauth:{{{hasher.AddressKey(email)}}}:login-failures";
}
