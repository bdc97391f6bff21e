using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OtpAuth.Api.Otp;

/// <summary>Whether a code may be sent now, and if not, how long the client should wait.</summary>
public readonly record struct SendReservation(bool Reserved, TimeSpan RetryAfter);

public enum OtpCheck
{
    /// <summary>The code was right; it is consumed and cannot be used again.</summary>
    Verified,

    /// <summary>Wrong, expired, already used, or no code for the address: callers cannot tell which, by design.</summary>
    Invalid,

    /// <summary>Too many wrong codes for this address in the last hour.</summary>
    Locked,

    /// <summary>No code for the address (expired, used or never sent): answered as <see cref="Invalid"/>, told apart for metrics.</summary>
    NoCode,
}

public readonly record struct OtpCheckResult(OtpCheck Outcome, TimeSpan RetryAfter);

/// <summary>
/// One-time codes and their rate limits in Redis (DESIGN.md §4). Every key is per address, named by an HMAC of the
/// normalized address (so key names carry no emails), with a hash tag so one address's keys share a cluster slot:
/// <c>otpauth:{id}:code</c> (hash of the code + attempts, TTL = lifetime), <c>:failures</c> (wrong codes, 1 h window),
/// <c>:cooldown</c> (resend cooldown) and <c>:sends</c> (codes sent, 1 h window).
/// </summary>
public sealed class OtpStore(IConnectionMultiplexer redis, OtpHasher hasher, IOptions<OtpOptions> options)
{
    private const int WindowSeconds = 3600;

    private OtpOptions Rules => options.Value;

    /// <summary>Takes a send from the address's cooldown and hourly cap, whether or not the address has an account.</summary>
    public async Task<SendReservation> TryReserveSendAsync(string email)
    {
        var keys = KeysFor(email);
        var waitMs = (long)await Database.ScriptEvaluateAsync(
            OtpScripts.ReserveSend,
            [keys.Cooldown, keys.Sends],
            [Rules.ResendCooldownSeconds, Rules.MaxSendsPerHour, WindowSeconds]);
        return new SendReservation(waitMs == 0, TimeSpan.FromMilliseconds(waitMs));
    }

    /// <summary>Gives a reserved send back after the code could not be delivered, removing that undelivered code.</summary>
    public async Task ReleaseSendAsync(string email, string? undeliveredCodeHash)
    {
        var keys = KeysFor(email);
        await Database.ScriptEvaluateAsync(
            OtpScripts.ReleaseSend,
            [keys.Cooldown, keys.Sends, keys.Code],
            [undeliveredCodeHash ?? ""]);
    }

    /// <summary>Stores a new code for the address, replacing (voiding) any previous one. Returns the stored hash.</summary>
    public async Task<string> SaveCodeAsync(string email, string code)
    {
        var hash = hasher.HashCode(email, code);
        await Database.ScriptEvaluateAsync(OtpScripts.SaveCode, [KeysFor(email).Code], [hash, Rules.ExpireSeconds]);
        return hash;
    }

    /// <summary>Voids the address's code, if any (its failure count stays: a new code never resets it).</summary>
    public async Task RevokeCodeAsync(string email)
    {
        await Database.KeyDeleteAsync(KeysFor(email).Code);
    }

    public async Task<OtpCheckResult> CheckAsync(string email, string code)
    {
        var keys = KeysFor(email);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            OtpScripts.Verify,
            [keys.Code, keys.Failures],
            [hasher.HashCode(email, code), Rules.MaxAttempts, Rules.MaxFailuresPerHour, WindowSeconds]))!;
        var outcome = (long)result[0] switch
        {
            1 => OtpCheck.Verified,
            2 => OtpCheck.Locked,
            3 => OtpCheck.NoCode,
            _ => OtpCheck.Invalid,
        };
        return new OtpCheckResult(outcome, TimeSpan.FromMilliseconds((long)result[1]));
    }

    private IDatabase Database => redis.GetDatabase();

    private AddressKeys KeysFor(string email)
    {
        var prefix = $"otpauth:{{{hasher.AddressKey(email)}}}:";
        return new AddressKeys(prefix + "code", prefix + "failures", prefix + "cooldown", prefix + "sends");
    }

    private readonly record struct AddressKeys(RedisKey Code, RedisKey Failures, RedisKey Cooldown, RedisKey Sends);
}
