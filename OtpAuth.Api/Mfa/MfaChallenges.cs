using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace OtpAuth.Api.Mfa;

/// <summary>A first factor waiting for its second: whose, and how it was proved.</summary>
public sealed record MfaChallenge(Guid UserId, string FirstMethods, TimeSpan Remaining);

/// <summary>
/// The <c>mfa_token</c>s: 256 random bits handed to the client after a right first factor, stored in Redis only as their
/// SHA-256 for <see cref="MfaOptions.ChallengeSeconds"/>. A token is claimed (taken out) by the request that uses it, so
/// two requests cannot both complete it; a wrong code puts it back for the rest of its life.
/// </summary>
public sealed class MfaChallenges(IConnectionMultiplexer redis, IOptions<MfaOptions> options)
{
    /// <summary>KEYS: the challenge. Returns {remaining ms, user, methods} and deletes it, or nil.</summary>
    private const string ClaimScript = """
        local user = redis.call('HGET', KEYS[1], 'user')
        if not user then return nil end
        local remaining = redis.call('PTTL', KEYS[1])
        local methods = redis.call('HGET', KEYS[1], 'methods')
        redis.call('DEL', KEYS[1])
        return {remaining, user, methods}
        """;

    public async Task<string> CreateAsync(Guid userId, string firstMethods)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.HashSetAsync(KeyOf(token), [new("user", userId.ToString("N")), new("methods", firstMethods)]);
        _ = transaction.KeyExpireAsync(KeyOf(token), TimeSpan.FromSeconds(options.Value.ChallengeSeconds));
        await transaction.ExecuteAsync();
        return token;
    }

    /// <summary>Takes the challenge out of Redis: null when it does not exist (never issued, used, or expired).</summary>
    public async Task<MfaChallenge?> ClaimAsync(string token)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, [KeyOf(token)]);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return new MfaChallenge(Guid.ParseExact(parts[1].ToString(), "N"), parts[2].ToString(), TimeSpan.FromMilliseconds(Math.Max(1, (long)parts[0])));
    }

    /// <summary>The challenge, left in place (its second step is being prepared); null when it is not live.</summary>
    public async Task<MfaChallenge?> FindAsync(string token)
    {
        var fields = await redis.GetDatabase().HashGetAsync(KeyOf(token), ["user", "methods"]);
        return fields[0].IsNull || fields[1].IsNull
            ? null
            : new MfaChallenge(Guid.ParseExact(fields[0].ToString(), "N"), fields[1].ToString(), TimeSpan.Zero);
    }

    /// <summary>Puts a claimed challenge back (its second factor was wrong) for the time it had left.</summary>
    public async Task ReturnAsync(string token, MfaChallenge challenge)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.HashSetAsync(KeyOf(token), [new("user", challenge.UserId.ToString("N")), new("methods", challenge.FirstMethods)]);
        _ = transaction.KeyExpireAsync(KeyOf(token), challenge.Remaining);
        await transaction.ExecuteAsync();
    }

    /// <summary>The key of something kept beside the challenge (a passkey's assertion options), living no longer than it.</summary>
    public static RedisKey SideKey(string token, string name) => $"{KeyOf(token)}:{name}";

    private static RedisKey KeyOf(string token) =>
        $"otpauth:mfa:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}";
}
