using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Login;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.EmailChange;

/// <summary>
/// Changing a verified account's address, and the way back. Nothing changes until the code mailed to the new address is
/// entered; then the address changes, every other session ends, pending registrations of the new address are void, and
/// the old address gets a mail with a code that takes it back for <see cref="AuthOptions.EmailRevertDays"/> (while the
/// old address stays reserved for the account). Taking it back ends every session and voids the password, since whoever
/// made the change knew it: the owner of the old mailbox stays the owner and chooses a new password by reset.
/// </summary>
public sealed partial class EmailChangeFlow(
    OtpAuthDbContext db,
    OtpStore otp,
    FlowCodeCheck flowCodes,
    OtpHasher ids,
    OtpCodeGenerator codes,
    CodeDelivery delivery,
    PendingEmailChanges pending,
    PasswordConfirmation confirmation,
    HashingGate hashing,
    SessionStore sessions,
    IOtpEmailSender mail,
    AccountNotices notices,
    ApiMetrics metrics,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<EmailChangeFlow> logger,
    ILoggerFactory loggers)
{
    public TimeSpan CodeLifetime => delivery.CodeLifetime;

    private TimeSpan RevertLifetime => TimeSpan.FromDays(authOptions.Value.EmailRevertDays);

    public static CodeSubject RevertSubjectOf(OtpHasher ids, string oldEmail) =>
        new(CodePurpose.EmailRevert, ids.AddressSubject("email-revert", oldEmail), oldEmail);

    /// <summary>
    /// The password, then a code to the new address. <see cref="AuthStatus.AlreadyRegistered"/>: the new address is the
    /// account's own; <see cref="AuthStatus.AddressTaken"/>: another account has it (answered like any other with
    /// <c>Auth:ConcealExistingAccounts</c>, the owner of that address told instead).
    /// </summary>
    public async Task<AuthResult> RequestAsync(
        Guid userId, string newEmail, string password, IReadOnlyList<ClientNetwork> client, string clientIp, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        if (user.Email == newEmail)
        {
            return AuthStatus.AlreadyRegistered;
        }

        var confirmed = await confirmation.ConfirmAsync(user, password, clientIp, cancellationToken);
        if (confirmed.Status != AuthStatus.Success)
        {
            metrics.EmailChange("requested", confirmed.Status == AuthStatus.RateLimited ? "limited" : "wrong_password");
            return confirmed;
        }

        var now = clock.GetUtcNow();
        var owner = await db.Users.AsNoTracking().Where(u => u.Email == newEmail).Select(u => new { u.Id, u.Email, u.Language }).FirstOrDefaultAsync(cancellationToken);
        var reserved = owner is null && await db.EmailReverts.AnyAsync(r => r.Email == newEmail && r.ExpiresAt > now && r.UserId != userId, cancellationToken);
        var conceal = authOptions.Value.ConcealExistingAccounts;
        if ((owner is not null || reserved) && !conceal)
        {
            metrics.EmailChange("requested", "conflict");
            return AuthStatus.AddressTaken;
        }

        var changeId = Guid.CreateVersion7(now);
        var subject = new CodeSubject(CodePurpose.EmailChange, changeId, newEmail);
        var reservation = await otp.TryReserveSendAsync(subject, client);
        if (!reservation.Reserved)
        {
            metrics.EmailChange("requested", "limited");
            return AuthResult.Limited(reservation.RetryAfter);
        }

        SecurityEvents.EmailChangeRequested(SecurityEvents.Logger(loggers), user.Id, ids.AddressKey(newEmail), clientIp);
        // Kept alike on every path (the export shows it); only a free address gets a code that can complete it.
        await pending.SaveAsync(user.Id, new PendingEmailChange(changeId, newEmail), CodeLifetime);
        AuthResult sent;
        if (owner is not null)
        {
            // Conceal mode: the same answer, and the owner of the address learns of the attempt; no code can complete it.
            sent = await delivery.SendNoticeAsync(subject, client, () =>
                mail.SendAsync(new OutgoingMail(MailKind.AddressInUse, owner.Email, MailLanguage.Normalize(owner.Language)), cancellationToken));
        }
        else if (reserved)
        {
            sent = AuthResult.Ok(); // reserved for the account that moved away from it: nobody to tell, nothing to complete
        }
        else
        {
            sent = await delivery.SendCodeAsync(subject, client, (code, lifetime) =>
                mail.SendAsync(new OutgoingMail(MailKind.EmailChangeCode, newEmail, MailLanguage.Normalize(user.Language), code, lifetime), cancellationToken));
        }

        metrics.EmailChange("requested", sent.Status == AuthStatus.Success ? "ok" : "email_failed");
        return sent with { FlowId = changeId, CodeLength = delivery.CodeLength(reservation) };
    }

    /// <summary>The code of the account's pending change: the address changes (or the other account that got there first wins: 409).</summary>
    public async Task<(AuthResult Result, string? NewEmail)> VerifyAsync(
        Guid userId, Guid sessionId, Guid changeId, string code, IReadOnlyList<ClientNetwork> client, string clientIp, CancellationToken cancellationToken)
    {
        var change = await pending.FindAsync(userId);
        if (change is null || change.Id != changeId)
        {
            metrics.EmailChange("verify", "invalid");
            return (AuthStatus.InvalidCode, null);
        }

        var subject = new CodeSubject(CodePurpose.EmailChange, changeId, change.NewEmail);
        var check = await flowCodes.CheckAsync(subject, code, client, clientIp);
        if (check.Status != AuthStatus.Success)
        {
            metrics.EmailChange("verify", FlowCodeCheck.Outcome(check));
            return (check, null);
        }

        User? user;
        EmailRevert? revert;
        try
        {
            user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
            revert = user is null ? null : await ChangeAddressAsync(user, change.NewEmail, cancellationToken);
        }
        catch (Exception exception) when (exception is not PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            await otp.GiveBackAsync(subject, code);
            throw;
        }
        catch (PostgresException)
        {
            revert = null; // another account took the address first
            user = null;
        }

        if (revert is null || user is null)
        {
            await pending.RemoveAsync(userId, changeId);
            metrics.EmailChange("verify", "conflict");
            return (AuthStatus.AddressTaken, null);
        }

        await pending.RemoveAsync(userId, changeId);
        if (!await MailRevertCodeAsync(user, revert, cancellationToken))
        {
            await UndoChangeAsync(user, revert);
            metrics.EmailChange("verify", "email_failed");
            return (AuthStatus.EmailFailed, null);
        }

        await sessions.RevokeAllAsync(user.Id, except: sessionId, "email_change", cancellationToken);
        SecurityEvents.EmailChanged(SecurityEvents.Logger(loggers), user.Id, ids.AddressKey(revert.Email), ids.AddressKey(revert.NewEmail), clientIp, revert.ExpiresAt);
        LogChanged(user.Id);
        metrics.EmailChange("verify", "ok");
        return (AuthResult.Ok(user), change.NewEmail);
    }

    /// <summary>
    /// The old address's code puts it back on its account, ends every session and voids the password (the person sets a
    /// new one with a reset code, which only the old mailbox gets).
    /// </summary>
    public async Task<AuthResult> RevertAsync(string oldEmail, string code, IReadOnlyList<ClientNetwork> client, string clientIp, CancellationToken cancellationToken)
    {
        hashing.ThrowIfFull(); // before the code is spent
        var subject = RevertSubjectOf(ids, oldEmail);
        var check = await flowCodes.CheckAsync(subject, code, client, clientIp);
        if (check.Status != AuthStatus.Success)
        {
            metrics.EmailChange("revert", FlowCodeCheck.Outcome(check));
            return check;
        }

        Guid? userId;
        try
        {
            userId = await RestoreAsync(oldEmail, cancellationToken);
        }
        catch (Exception)
        {
            await otp.GiveBackAsync(subject, code);
            throw;
        }

        if (userId is not { } restored)
        {
            metrics.EmailChange("revert", "invalid");
            return AuthStatus.InvalidCode;
        }

        await sessions.RevokeAllAsync(restored, except: null, "email_revert", cancellationToken);
        SecurityEvents.EmailReverted(SecurityEvents.Logger(loggers), restored, ids.AddressKey(oldEmail), clientIp);
        metrics.EmailChange("revert", "ok");
        return AuthResult.Ok();
    }

    /// <summary>
    /// One statement: the address (unless another account holds it — the unique index refuses — or it is reserved for
    /// another account that moved away from it), the way back, and the new address's pending registrations void.
    /// </summary>
    private async Task<EmailRevert?> ChangeAddressAsync(User user, string newEmail, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var revert = new EmailRevert { Id = Guid.CreateVersion7(now), UserId = user.Id, Email = user.Email, NewEmail = newEmail, CreatedAt = now, ExpiresAt = now + RevertLifetime };
        var changed = await db.Database.SqlQuery<Guid>($"""
            WITH changed AS (
                UPDATE users SET email = {newEmail}
                WHERE id = {user.Id} AND email = {user.Email}
                    AND NOT EXISTS (SELECT 1 FROM email_reverts WHERE email = {newEmail} AND expires_at > {now} AND user_id <> {user.Id})
                RETURNING id),
            way_back AS (
                INSERT INTO email_reverts (id, user_id, email, new_email, created_at, expires_at)
                SELECT {revert.Id}, id, {revert.Email}, {newEmail}, {now}, {revert.ExpiresAt} FROM changed
                ON CONFLICT (id) DO NOTHING),
            voided AS (
                DELETE FROM pending_registrations WHERE email = {newEmail} AND EXISTS (SELECT 1 FROM changed))
            SELECT id AS "Value" FROM changed
            UNION ALL SELECT id FROM email_reverts WHERE id = {revert.Id}
            """).ToListAsync(cancellationToken); // the last line finds what a retried statement's first try wrote
        return changed.Count == 0 ? null : revert;
    }

    /// <summary>"Your address was changed to …", with the code that takes it back. False when the mail did not go out.</summary>
    private async Task<bool> MailRevertCodeAsync(User user, EmailRevert revert, CancellationToken cancellationToken)
    {
        var subject = RevertSubjectOf(ids, revert.Email);
        var code = codes.Generate();
        var codeHash = await otp.SaveCodeAsync(subject, code, lifetime: RevertLifetime);
        var sent = await notices.TrySendAsync(
            new OutgoingMail(MailKind.EmailChanged, revert.Email, MailLanguage.Normalize(user.Language), OtpCodeGenerator.Display(code), RevertLifetime, revert.NewEmail),
            user.Id, cancellationToken);
        if (!sent)
        {
            await otp.RevokeCodeAsync(subject, codeHash);
        }

        return sent;
    }

    /// <summary>A change whose old address could not be told is undone: nobody would have a way back.</summary>
    private async Task UndoChangeAsync(User user, EmailRevert revert)
    {
        await db.Database.ExecuteSqlAsync($"""
            WITH undone AS (UPDATE users SET email = {revert.Email} WHERE id = {user.Id} AND email = {revert.NewEmail} RETURNING id)
            DELETE FROM email_reverts WHERE id = {revert.Id}
            """, CancellationToken.None);
        LogUndone(user.Id);
    }

    /// <summary>The old address back on its account, the password void, every way back of the account used up.</summary>
    private async Task<Guid?> RestoreAsync(string oldEmail, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var revert = await db.EmailReverts.AsNoTracking()
            .Where(r => r.Email == oldEmail && r.ExpiresAt > now)
            .OrderByDescending(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (revert is null)
        {
            return null;
        }

        var voidPassword = await hashing.HashAsync(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), cancellationToken);
        var restored = await db.Database.SqlQuery<Guid>($"""
            WITH restored AS (
                UPDATE users SET email = {revert.Email}, password_hash = {voidPassword} WHERE id = {revert.UserId}
                RETURNING id),
            used AS (
                DELETE FROM email_reverts WHERE user_id = {revert.UserId})
            SELECT id AS "Value" FROM restored
            """).ToListAsync(cancellationToken);
        return restored.Count == 0 ? null : restored[0];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} changed their address")]
    private partial void LogChanged(Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Undid the address change of user {UserId}: its old address could not be mailed the way back")]
    private partial void LogUndone(Guid userId);
}
