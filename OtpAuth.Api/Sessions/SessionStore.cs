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
    /// autocommit, one round trip (a SaveChanges of the three rows would take two: the batch, then its commit).
    /// </summary>
    /// <returns>The session, or null when the account is gone (deleted since it was read).</returns>
    /// <param name="methods">How the person signed in: <see cref="Auth.AuthenticationMethods"/>, space-separated.</param>
    public async Task<IssuedSession?> StartAsync(User user, string? userAgent, string methods, CancellationToken cancellationToken)
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
        var started = await db.QueryAsync<Guid>("""
            WITH account AS (
                UPDATE users SET last_login_at = @now WHERE id = @userId
                RETURNING id),
            session AS (
                INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, absolute_expires_at, user_agent, authenticated_at, auth_methods)
                SELECT @sessionId, id, @now, @now, @expiresAt, @absoluteExpiresAt, CAST(@agent AS character varying), @now, @methods FROM account
                ON CONFLICT (id) DO NOTHING
                RETURNING id),
            token AS (
                INSERT INTO refresh_tokens (hash, session_id, created_at)
                SELECT @tokenHash, id, @now FROM session
                RETURNING session_id)
            SELECT session_id FROM token
            UNION ALL SELECT id FROM sessions WHERE id = @sessionId
            """, new { now, userId = user.Id, sessionId, expiresAt, absoluteExpiresAt, agent, methods, tokenHash = Hash(refreshToken) }, cancellationToken);

        return started.Count == 0
            ? null
            : new IssuedSession(sessionId, tokens.Issue(user, sessionId, now, methods), refreshToken, expiresAt - now);
    }

    /// <summary>
    /// Rotates the refresh token. The same token sent again within the reuse grace, while its session lives, gets the
    /// answer it got the first time (the client lost it); later, a replaced token sent again revokes its session.
    /// </summary>
    public async Task<(RefreshOutcome Outcome, IssuedSession? Session)> RefreshAsync(string presented, string client, CancellationToken cancellationToken)
    {
        var hash = Hash(presented);
        var token = cancellationToken;
        var strategy = db.Database.CreateExecutionStrategy();
        var step = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var now = clock.GetUtcNow();
            // Claim the token in one statement: of two concurrent refreshes with one token, exactly one gets the row.
            var claimed = await db.Database
                .SqlQuery<Guid>($"UPDATE refresh_tokens SET used_at = {now} WHERE hash = {hash} AND used_at IS NULL RETURNING session_id AS \"Value\"")
                .ToListAsync(token);
            if (claimed is not [var sessionId])
            {
                var used = await db.RefreshTokens.AsNoTracking().Where(t => t.Hash == hash).FirstOrDefaultAsync(token);
                if (used is null)
                {
                    return new RefreshStep(RefreshOutcome.Invalid);
                }

                if (await RepeatAnswerAsync(presented, used, now, token) is { } repeated)
                {
                    return new RefreshStep(RefreshOutcome.Refreshed, repeated);
                }

                if (await RevokeStolenAsync(used.SessionId, now, token) is { } userId)
                {
                    await transaction.CommitAsync(token);
                    return new RefreshStep(RefreshOutcome.Reused, null, used.SessionId, userId);
                }

                return new RefreshStep(RefreshOutcome.Invalid);
            }

            var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, token);
            var owner = session?.UserId;
            var user = owner is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == owner, token);
            if (session is null || user is null || session.RevokedAt is not null || session.ExpiresAt <= now)
            {
                return new RefreshStep(RefreshOutcome.Invalid);
            }

            session.LastUsedAt = now;
            session.ExpiresAt = Min(now + options.Value.RefreshTokenLifetime, session.AbsoluteExpiresAt);
            var refreshToken = NewRefreshToken(session.Id, now, out var row);
            db.RefreshTokens.Add(row);
            var issued = new IssuedSession(session.Id, tokens.Issue(user, session.Id, session.AuthenticatedAt, session.AuthMethods), refreshToken, session.ExpiresAt - now);
            // Kept in the same transaction as the rotation, so a retry of it after a lost commit reply finds the answer.
            var consumed = new RefreshToken { Hash = hash, SessionId = session.Id, UsedAt = now, Answer = RefreshAnswerSeal.Seal(presented, issued, now) };
            db.RefreshTokens.Attach(consumed).Property(t => t.Answer).IsModified = true;
            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return new RefreshStep(RefreshOutcome.Refreshed, issued);
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

    /// <summary>The answer the token's refresh gave, when it was used within the grace and its session still lives.</summary>
    private async Task<IssuedSession?> RepeatAnswerAsync(string presented, RefreshToken used, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (used.Answer is null || used.UsedAt is not { } usedAt || now - usedAt > options.Value.RefreshReuseGrace)
        {
            return null;
        }

        var sessionId = used.SessionId;
        var live = await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now, cancellationToken);
        return live ? RefreshAnswerSeal.Open(presented, sessionId, used.Answer, now) : null;
    }

    /// <summary>The account's live sessions, most recently used first.</summary>
    public async Task<List<Session>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        var (account, now, token) = (userId, clock.GetUtcNow(), cancellationToken);
        return await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == account && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .ToListAsync(token);
    }

    /// <summary>Revokes one session of the account; false when it has no such live session.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid sessionId, string reason, CancellationToken cancellationToken) =>
        await RevokeAndAnnounceAsync(userId, only: sessionId, except: null, reason, cancellationToken) == 1;

    /// <summary>Revokes every live session of the account, or every one but <paramref name="except"/>.</summary>
    public Task<int> RevokeAllAsync(Guid userId, Guid? except, string reason, CancellationToken cancellationToken) =>
        RevokeAndAnnounceAsync(userId, only: null, except, reason, cancellationToken);

    /// <summary>
    /// Revokes the account's live sessions (<paramref name="only"/> that one, or all but <paramref name="except"/>) and
    /// deletes their refresh tokens: one statement, one round trip.
    /// </summary>
    private async Task<int> RevokeAndAnnounceAsync(Guid userId, Guid? only, Guid? except, string reason, CancellationToken cancellationToken)
    {
        var ids = await db.Database.SqlQuery<Guid>($"""
            WITH ended AS (
                UPDATE sessions SET revoked_at = {clock.GetUtcNow()}
                WHERE user_id = {userId} AND revoked_at IS NULL
                    AND (CAST({only} AS uuid) IS NULL OR id = {only}) AND (CAST({except} AS uuid) IS NULL OR id <> {except})
                RETURNING id),
            tokens AS (
                DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM ended))
            SELECT id AS "Value" FROM ended
            """).ToListAsync(cancellationToken); // no LINQ on top: PostgreSQL refuses a data-modifying WITH in a subquery
        if (ids.Count == 0)
        {
            return 0;
        }

        await revoked.RevokeAsync(ids);
        SecurityEvents.SessionsRevoked(SecurityEvents.Logger(loggers), userId, ids.Count, reason);
        metrics.SessionsRevoked(ids.Count, reason);
        return ids.Count;
    }

    /// <summary>
    /// Marks a replayed token's session revoked (its refresh tokens stay, so a later reuse is still recognised); returns
    /// its user, or null when the session was already revoked.
    /// </summary>
    private async Task<Guid?> RevokeStolenAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.RevokedAt, now), cancellationToken);
        return updated == 0 ? null : await db.Sessions.Where(s => s.Id == sessionId).Select(s => s.UserId).SingleAsync(cancellationToken);
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
