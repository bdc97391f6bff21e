using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Security;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Registration;

/// <summary>
/// Register and resend. A registration is a <see cref="PendingRegistration"/> of its own, with its own
/// password hash and its own code: registering an address again never touches an earlier registration, so a stranger's
/// registration cannot replace the owner's password, and the owner's code verifies only the owner's registration.
/// Takes emails and passwords already normalized and validated. Logs name registrations and users by id only.
/// </summary>
public sealed partial class RegistrationFlow(
    OtpAuthDbContext db,
    HashingGate hashing,
    OtpStore otp,
    CodeDelivery delivery,
    IOtpEmailSender mail,
    ApiMetrics metrics,
    IOptions<RegistrationOptions> options,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<RegistrationFlow> logger,
    ILoggerFactory loggers)
{
    public TimeSpan CodeLifetime => delivery.CodeLifetime;

    /// <summary>
    /// New or unverified address: a pending registration and a code mailed for it. Verified account:
    /// <see cref="AuthStatus.AlreadyRegistered"/>, or with <c>Auth:ConcealExistingAccounts</c> the same work and answer as
    /// a new address (a pending registration that no code can ever verify), the mail telling the owner instead.
    /// </summary>
    public async Task<AuthResult> RegisterAsync(string email, string password, string language, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        hashing.ThrowIfFull(); // the same for every address, before the lookup and the send reservation
        var holder = await LookUpAsync(email, cancellationToken);
        // An address an account just moved away from stays its own while it can be taken back (EmailChangeFlow).
        if (!authOptions.Value.ConcealExistingAccounts && (holder.OwnerId is not null || holder.Reserved))
        {
            return AuthStatus.AlreadyRegistered;
        }

        var id = Guid.CreateVersion7();
        var subject = new CodeSubject(CodePurpose.Registration, id, email);
        // The send is reserved before any hashing, so a flood of registrations cannot buy bcrypt work for free.
        var reservation = await otp.TryReserveSendAsync(subject, client);
        if (!reservation.Reserved)
        {
            return AuthResult.Limited(reservation.RetryAfter);
        }

        PendingRegistration registration;
        try
        {
            var hash = await hashing.HashAsync(password, cancellationToken);
            var now = clock.GetUtcNow();
            registration = new PendingRegistration
            {
                Id = id,
                Email = email,
                PasswordHash = hash,
                CreatedAt = now,
                ExpiresAt = now.AddHours(options.Value.LifetimeHours),
                Language = language,
            };
            // A retry after a lost reply to the commit finds its own row there and inserts nothing twice.
            await db.ExecuteAsync("""
                INSERT INTO pending_registrations (id, email, password_hash, created_at, expires_at, language, failed_attempts)
                VALUES (@Id, @Email, @PasswordHash, @CreatedAt, @ExpiresAt, @Language, 0)
                ON CONFLICT (id) DO NOTHING
                """, registration, cancellationToken);
        }
        catch (Exception)
        {
            await delivery.ReleaseAsync(subject, client);
            throw;
        }

        var result = holder.OwnerId is { } ownerId
            ? await NotifyOwnerAsync(ownerId, holder.OwnerLanguage, subject, client, cancellationToken)
            : await SendCodeAsync(subject, language, client, cancellationToken);
        if (result.Status != AuthStatus.Success)
        {
            // The person is told it did not work: nothing of it is kept.
            await db.PendingRegistrations.Where(p => p.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            return result;
        }

        LogRegistered(id);
        metrics.Registered();
        return result with { RegistrationId = id, CodeLength = delivery.CodeLength(reservation) };
    }

    /// <summary>
    /// A new code for a live pending registration of the address, replacing its old one; the same answer whatever exists.
    /// The registration's id comes from its register answer, so nothing here tells a stranger about anyone else's
    /// registrations; a registration of a verified address (conceal mode) gets the owner notice again, at the same cost.
    /// </summary>
    public async Task<AuthResult> ResendAsync(string email, Guid registrationId, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        var subject = new CodeSubject(CodePurpose.Registration, registrationId, email);
        var reservation = await otp.TryReserveSendAsync(subject, client);
        if (!reservation.Reserved)
        {
            return AuthResult.Limited(reservation.RetryAfter);
        }

        var now = clock.GetUtcNow();
        var language = await db.PendingRegistrations.AsNoTracking()
            .Where(p => p.Id == registrationId && p.Email == email && p.ExpiresAt > now)
            .Select(p => p.Language)
            .FirstOrDefaultAsync(cancellationToken);
        if (language is null)
        {
            // Nothing to send; the reservation stays, as it would for a real one.
            return AuthResult.Ok() with { CodeLength = delivery.CodeLength(reservation) };
        }

        var holder = await LookUpAsync(email, cancellationToken);
        var result = holder.OwnerId is { } ownerId
            ? await NotifyOwnerAsync(ownerId, holder.OwnerLanguage, subject, client, cancellationToken)
            : await SendCodeAsync(subject, language, client, cancellationToken);
        return result with { CodeLength = delivery.CodeLength(reservation) };
    }

    private Task<AuthResult> SendCodeAsync(CodeSubject subject, string language, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken) =>
        delivery.SendCodeAsync(subject, client, (code, lifetime) =>
            mail.SendAsync(new OutgoingMail(MailKind.RegistrationCode, subject.Email, language, code, lifetime), cancellationToken));

    /// <summary>The account holding the address and whether it is reserved, in one statement (register's only read before its hash).</summary>
    private async Task<AddressHolder> LookUpAsync(string email, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rows = await db.QueryAsync<AddressHolder>("""
            SELECT u.id AS "OwnerId", u.language AS "OwnerLanguage",
                EXISTS (SELECT 1 FROM email_reverts WHERE email = @email AND expires_at > @now) AS "Reserved"
            FROM (VALUES (1)) AS address LEFT JOIN users u ON u.email = @email
            """, new { email, now }, cancellationToken);
        return rows[0];
    }

    /// <summary>The owner of an address (stored normalized, so it is <paramref name="subject"/>'s) hears that someone tried to register it.</summary>
    private Task<AuthResult> NotifyOwnerAsync(Guid ownerId, string? ownerLanguage, CodeSubject subject, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        SecurityEvents.RegistrationOfExistingAccount(SecurityEvents.Logger(loggers), ownerId, client[0].Key);
        return delivery.SendNoticeAsync(subject, client, () =>
            mail.SendAsync(new OutgoingMail(MailKind.AccountExists, subject.Email, MailLanguage.Normalize(ownerLanguage)), cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration {RegistrationId} is pending its code")]
    private partial void LogRegistered(Guid registrationId);
}
