using StackExchange.Redis;

namespace OtpAuth.Api.EmailChange;

/// <summary>An address change waiting for the code mailed to the new address.</summary>
public sealed record PendingEmailChange(Guid Id, string NewEmail);

/// <summary>
/// Each account's one pending address change, in Redis for as long as its code lives: a new request replaces it, its
/// verify or the account's deletion removes it. Keyed by account id (the key names no address).
/// </summary>
public sealed class PendingEmailChanges(IConnectionMultiplexer redis)
{
    public static RedisKey KeyOf(Guid userId) => $"otpauth:user:{userId:N}:email-change";

    public Task SaveAsync(Guid userId, PendingEmailChange change, TimeSpan lifetime)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(KeyOf(userId));
        _ = transaction.HashSetAsync(KeyOf(userId), [new("id", change.Id.ToString("N")), new("email", change.NewEmail)]);
        _ = transaction.KeyExpireAsync(KeyOf(userId), lifetime);
        return transaction.ExecuteAsync();
    }

    public async Task<PendingEmailChange?> FindAsync(Guid userId)
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(KeyOf(userId))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        return fields.TryGetValue("id", out var id) && fields.TryGetValue("email", out var email) && Guid.TryParseExact(id, "N", out var changeId)
            ? new PendingEmailChange(changeId, email)
            : null;
    }

    /// <summary>Removes the account's pending change if it is still <paramref name="changeId"/>.</summary>
    public async Task RemoveAsync(Guid userId, Guid changeId)
    {
        const string script = "if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        await redis.GetDatabase().ScriptEvaluateAsync(script, [KeyOf(userId)], [changeId.ToString("N")]);
    }
}
