using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;
using OtpAuth.Api.Tokens;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Sessions;

/// <summary>What a sign-in or a refresh hands the client.</summary>
public sealed record IssuedSession(Guid SessionId, AccessToken Access, string RefreshToken, TimeSpan RefreshExpiresIn);

public enum RefreshOutcome
{
    Refreshed,
    Invalid,

    /// <summary>A refresh token that was already rotated: whoever holds it may have stolen it, so its session is revoked.</summary>
    Reused,
}

/// <summary>
/// Sessions in PostgreSQL with rotating refresh tokens (OAuth 2.0 Security BCP §4.14): every refresh replaces the
/// token, and presenting a replaced one again revokes the whole session. Revocations are also put in
/// <see cref="RevokedSessions"/>, so the session's access tokens stop working at once on the Api's own endpoints.
/// </summary>
public sealed class SessionStore(
    OtpAuthDbContext db,
    TokenIssuer tokens,
    RevokedSessions revoked,
    ApiMetrics metrics,
    IOptions<SessionLifetimeOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers)
{
    public const int MaxUserAgentLength = 256;

    /// <summary>
    /// A new session for the account and its first refresh token, and the account's last login time: one statement in
    /// autocommit, one round trip, where a SaveChanges of the three rows took two (the batch, then its commit).
    /// </summary>
    /// <returns>The session, or null when the account is gone (deleted since it was read).</returns>
    public async Task<IssuedSession?> StartAsync(User user, string? userAgent, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rules = options.Value;
        var sessionId = Guid.CreateVersion7(now);
        var expiresAt = now + rules.RefreshTokenLifetime;
        var absoluteExpiresAt = now + rules.AbsoluteLifetime;
        var agent = userAgent is { Length: > MaxUserAgentLength } ? userAgent[..MaxUserAgentLength] : userAgent;
        var refreshToken = NewToken();
        // The refresh token's foreign key is checked at the end of the statement, when its session row is there. The
        // ids are made here, so a retry of the statement (after a lost reply to its commit) inserts nothing twice and
        // the last line finds what the first try wrote.
        var started = await db.Database.SqlQuery<Guid>($"""
            WITH account AS (
                UPDATE users SET last_login_at = {now} WHERE id = {user.Id}
                RETURNING id),
            session AS (
                INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, absolute_expires_at, user_agent)
                SELECT {sessionId}, id, {now}, {now}, {expiresAt}, {absoluteExpiresAt}, CAST({agent} AS character varying) FROM account
                ON CONFLICT (id) DO NOTHING
                RETURNING id),
            token AS (
                INSERT INTO refresh_tokens (hash, session_id, created_at)
                SELECT {Hash(refreshToken)}, id, {now} FROM session
                RETURNING session_id)
            SELECT session_id AS "Value" FROM token
            UNION ALL SELECT id FROM sessions WHERE id = {sessionId}
            """).ToListAsync(cancellationToken); // no LINQ on top: PostgreSQL refuses a data-modifying WITH in a subquery

        return started.Count == 0
            ? null
            : new IssuedSession(sessionId, tokens.Issue(user, sessionId), refreshToken, expiresAt - now);
    }

    /// <summary>Rotates the refresh token; a replaced one presented again revokes its session.</summary>
    public async Task<(RefreshOutcome Outcome, IssuedSession? Session)> RefreshAsync(string presented, string client, CancellationToken cancellationToken)
    {
        var hash = Hash(presented);
        var strategy = db.Database.CreateExecutionStrategy();
        var step = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            // Claim the token in one statement: of two concurrent refreshes with one token, exactly one gets the row.
            var claimed = await db.Database
                .SqlQuery<Guid>($"UPDATE refresh_tokens SET used_at = {now} WHERE hash = {hash} AND used_at IS NULL RETURNING session_id AS \"Value\"")
                .ToListAsync(cancellationToken);
            if (claimed is not [var sessionId])
            {
                var reused = await db.RefreshTokens.Where(t => t.Hash == hash).Select(t => (Guid?)t.SessionId).FirstOrDefaultAsync(cancellationToken);
                if (reused is { } stolen && await RevokeWhereAsync(db.Sessions.Where(s => s.Id == stolen), now, cancellationToken) is [var userId])
                {
                    await transaction.CommitAsync(cancellationToken);
                    return new RefreshStep(RefreshOutcome.Reused, null, stolen, userId);
                }

                return new RefreshStep(RefreshOutcome.Invalid);
            }

            var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
            var user = session is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == session.UserId, cancellationToken);
            if (session is null || user is null || session.RevokedAt is not null || session.ExpiresAt <= now)
            {
                return new RefreshStep(RefreshOutcome.Invalid);
            }

            session.LastUsedAt = now;
            session.ExpiresAt = Min(now + options.Value.RefreshTokenLifetime, session.AbsoluteExpiresAt);
            var refreshToken = NewRefreshToken(session.Id, now, out var row);
            db.RefreshTokens.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new RefreshStep(RefreshOutcome.Refreshed, new IssuedSession(session.Id, tokens.Issue(user, session.Id), refreshToken, session.ExpiresAt - now));
        });

        if (step.ReusedSession is { } reused)
        {
            SecurityEvents.RefreshTokenReused(SecurityEvents.Logger(loggers), reused, step.ReusedBy, client);
            await revoked.RevokeAsync([reused]);
            metrics.SessionsRevoked(1, "reuse");
        }

        metrics.Refreshed(step.Outcome switch { RefreshOutcome.Refreshed => "ok", RefreshOutcome.Reused => "reused", _ => "invalid" });
        return (step.Outcome, step.Session);
    }

    /// <summary>The account's live sessions, most recently used first.</summary>
    public async Task<List<Session>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Revokes one session of the account; false when it has no such live session.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid sessionId, string reason, CancellationToken cancellationToken) =>
        await RevokeAndAnnounceAsync(userId, db.Sessions.Where(s => s.UserId == userId && s.Id == sessionId), reason, cancellationToken) == 1;

    /// <summary>Revokes every live session of the account, or every one but <paramref name="except"/>.</summary>
    public Task<int> RevokeAllAsync(Guid userId, Guid? except, string reason, CancellationToken cancellationToken) =>
        RevokeAndAnnounceAsync(userId, db.Sessions.Where(s => s.UserId == userId && s.Id != except), reason, cancellationToken);

    private async Task<int> RevokeAndAnnounceAsync(Guid userId, IQueryable<Session> sessions, string reason, CancellationToken cancellationToken)
    {
        var ids = await sessions.Where(s => s.RevokedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        await db.Sessions.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await db.RefreshTokens.Where(t => ids.Contains(t.SessionId)).ExecuteDeleteAsync(cancellationToken);
        await revoked.RevokeAsync(ids);
        SecurityEvents.SessionsRevoked(SecurityEvents.Logger(loggers), userId, ids.Count, reason);
        metrics.SessionsRevoked(ids.Count, reason);
        return ids.Count;
    }

    /// <summary>Marks the sessions revoked (their refresh tokens stay, so a later reuse is still recognised); returns their users.</summary>
    private static async Task<List<Guid>> RevokeWhereAsync(IQueryable<Session> sessions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var users = await sessions.Where(s => s.RevokedAt == null).Select(s => s.UserId).ToListAsync(cancellationToken);
        await sessions.Where(s => s.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        return users;
    }

    private static string NewRefreshToken(Guid sessionId, DateTimeOffset now, out RefreshToken row)
    {
        var token = NewToken();
        row = new RefreshToken { Hash = Hash(token), SessionId = sessionId, CreatedAt = now };
        return token;
    }

    private static string NewToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string token) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record RefreshStep(RefreshOutcome Outcome, IssuedSession? Session = null, Guid? ReusedSession = null, Guid ReusedBy = default);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
