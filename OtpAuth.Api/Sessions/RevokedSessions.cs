using Microsoft.Extensions.Options;
using OtpAuth.Api.Tokens;
using StackExchange.Redis;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// Revoked session ids in Redis, each kept as long as an access token of it can still be valid (its lifetime plus the
/// clock skew), so every replica refuses them with one key lookup per request and the set stays small by itself.
/// PostgreSQL (<see cref="Session.RevokedAt"/>) is the record; this is the fast path for access tokens.
/// </summary>
public sealed class RevokedSessions(IConnectionMultiplexer redis, IOptions<JwtOptions> jwt)
{
    private TimeSpan Memory => jwt.Value.AccessTokenLifetime + JwtBearerSetup.ClockSkew;

    public async Task RevokeAsync(IEnumerable<Guid> sessionIds)
    {
        var database = redis.GetDatabase();
        await Task.WhenAll(sessionIds.Select(id => database.StringSetAsync(Key(id), "1", Memory)));
    }

    public Task<bool> IsRevokedAsync(Guid sessionId) => redis.GetDatabase().KeyExistsAsync(Key(sessionId));

    private static RedisKey Key(Guid sessionId) => $"otpauth:session:{sessionId:N}:revoked";
}
