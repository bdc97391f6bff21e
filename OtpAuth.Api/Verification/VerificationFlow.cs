using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Security;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Verification;

/// <summary>
/// Verify: the code of one pending registration creates the account with that registration's password
/// and voids every other pending registration of the address. Wrong codes count against the address's budgets in Redis
/// (per client network and in all) and against the registration's lifetime budget in PostgreSQL, after which the
/// registration is void; a registration id nobody issued costs the same work and gets the same answer.
/// </summary>
public sealed partial class VerificationFlow(
    OtpAuthDbContext db,
    OtpStore otp,
    OtpHasher ids,
    ApiMetrics metrics,
    IOptions<OtpOptions> options,
    TimeProvider clock,
    ILogger<VerificationFlow> logger,
    ILoggerFactory loggers)
{
    public async Task<AuthResult> VerifyAsync(
        string email, string code, Guid registrationId, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        var subject = new CodeSubject(CodePurpose.Registration, registrationId, email);
        var check = await otp.CheckAsync(subject, code, client);
        switch (check.Outcome)
        {
            case OtpCheck.Locked:
                SecurityEvents.CodeLocked(SecurityEvents.Logger(loggers), ids.AddressKey(email), client[0].Key, (int)Math.Ceiling(check.RetryAfter.TotalSeconds));
                metrics.Verified("locked");
                return AuthResult.Limited(check.RetryAfter);
            case OtpCheck.Verified:
                return await CreateAccountAsync(subject, cancellationToken);
            case OtpCheck.Used:
                metrics.Verified("used"); // not a guess: no failure counted, or duplicates could void the registration
                return AuthStatus.InvalidCode;
            default:
                await CountFailureAsync(subject, client, cancellationToken);
                metrics.Verified(check.Outcome == OtpCheck.NoCode ? "expired" : "wrong");
                return AuthStatus.InvalidCode;
        }
    }

    /// <summary>
    /// The account, from the registration the code was issued for, if it is still live, and every other registration of
    /// the address void. One statement, one round trip, where an EF transaction would take several (begin, read,
    /// insert, delete, commit), each also work for PostgreSQL.
    /// </summary>
    private async Task<AuthResult> CreateAccountAsync(CodeSubject subject, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var userId = Guid.CreateVersion7(now);
        // A concurrent verify of another registration of the address that inserted first makes ON CONFLICT insert
        // nothing, and then nothing is deleted either; the data-modifying parts all see the statement's one snapshot.
        // The last line finds the account a retry of the statement (after a lost reply to a commit) would not insert.
        var created = await db.QueryAsync<Guid>("""
            WITH registration AS (
                SELECT password_hash, language FROM pending_registrations
                WHERE id = @registrationId AND email = @email AND expires_at > @now
                    AND NOT EXISTS (SELECT 1 FROM email_reverts WHERE email = @email AND expires_at > @now)),
            account AS (
                INSERT INTO users (id, email, password_hash, language, created_at, verified_at)
                SELECT @userId, @email, password_hash, language, @now, @now FROM registration
                ON CONFLICT (email) DO NOTHING
                RETURNING id),
            voided AS (
                DELETE FROM pending_registrations WHERE email = @email AND EXISTS (SELECT 1 FROM account))
            SELECT id FROM account
            UNION ALL SELECT id FROM users WHERE id = @userId
            """, new { registrationId = subject.Id, email = subject.Email, now, userId }, cancellationToken);

        if (created.Count == 0)
        {
            metrics.Verified("expired");
            return AuthStatus.InvalidCode;
        }

        LogVerified(subject.Id, created[0]);
        metrics.Verified("ok");
        return AuthResult.Ok();
    }

    /// <summary>One more wrong code for the registration; at its lifetime budget the registration and its code are void.</summary>
    private async Task CountFailureAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        // One statement whether or not the registration exists, so an id nobody issued costs the same.
        var failed = await db.Database
            .SqlQuery<int>($"UPDATE pending_registrations SET failed_attempts = failed_attempts + 1 WHERE id = {subject.Id} AND email = {subject.Email} RETURNING failed_attempts AS \"Value\"")
            .ToListAsync(cancellationToken);
        if (failed is [var attempts] && attempts >= options.Value.MaxFailuresPerRegistration)
        {
            await db.PendingRegistrations.Where(p => p.Id == subject.Id).ExecuteDeleteAsync(cancellationToken);
            await otp.RevokeCodeAsync(subject);
            SecurityEvents.RegistrationVoided(SecurityEvents.Logger(loggers), subject.Id, ids.AddressKey(subject.Email), attempts, client[0].Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration {RegistrationId} verified: user {UserId}")]
    private partial void LogVerified(Guid registrationId, Guid userId);
}
