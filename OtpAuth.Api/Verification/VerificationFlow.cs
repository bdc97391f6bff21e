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
/// Verify (DESIGN.md §3–4): the code of one pending registration creates the account with that registration's password
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

    /// <summary>The account, from the registration the code was issued for, if it is still live; all in one transaction.</summary>
    private async Task<AuthResult> CreateAccountAsync(CodeSubject subject, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var user = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var registration = await db.PendingRegistrations.AsNoTracking()
                .SingleOrDefaultAsync(p => p.Id == subject.Id && p.Email == subject.Email && p.ExpiresAt > now, cancellationToken);
            if (registration is null)
            {
                return null;
            }

            var account = new User { Email = subject.Email, PasswordHash = registration.PasswordHash, Language = registration.Language, CreatedAt = now, VerifiedAt = now };
            db.Users.Add(account);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return null; // another registration of the address was verified first
            }

            // Every other registration of the address is void: the address has its account.
            await db.PendingRegistrations.Where(p => p.Email == subject.Email).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return account;
        });

        if (user is null)
        {
            metrics.Verified("expired");
            return AuthStatus.InvalidCode;
        }

        LogVerified(subject.Id, user.Id);
        metrics.Verified("ok");
        return AuthResult.Ok(user);
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
