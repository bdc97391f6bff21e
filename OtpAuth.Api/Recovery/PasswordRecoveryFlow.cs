using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Login;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Recovery;

/// <summary>
/// Forgot, reset and change. A reset code is a code of its own purpose (<see cref="CodePurpose.PasswordReset"/>)
/// under the code store's rules — lifetime, single use, tries per code, budgets per client network, cooldown — with keys
/// and an HMAC of its own, so no registration code can reset a password and no reset code can verify a registration.
/// Its subject is an id derived from the address, so the cooldown and the answer are the same whether or not the
/// address has an account. A new password ends every session (reset) or every other one (change) and is announced by mail.
/// </summary>
public sealed class PasswordRecoveryFlow(
    OtpAuthDbContext db,
    OtpStore otp,
    FlowCodeCheck codes,
    OtpHasher ids,
    CodeDelivery delivery,
    CodeMailBacklog queue,
    HashingGate hashing,
    LoginThrottle throttle,
    PasswordConfirmation confirmation,
    SessionStore sessions,
    AccountNotices notices,
    ApiMetrics metrics,
    ILoggerFactory loggers)
{
    public static CodeSubject SubjectOf(OtpHasher ids, string email) => new(CodePurpose.PasswordReset, ids.AddressSubject("reset", email), email);

    /// <summary>The same work for every address: reserve a send, queue it. Only the worker looks the address up.</summary>
    public async Task<AuthResult> ForgotAsync(string email, IReadOnlyList<ClientNetwork> client)
    {
        var reservation = await otp.TryReserveSendAsync(SubjectOf(ids, email), client);
        if (!reservation.Reserved)
        {
            return AuthResult.Limited(reservation.RetryAfter);
        }

        await queue.EnqueueAsync(new CodeMailJob(SubjectOf(ids, email), MailKind.PasswordResetCode, client));
        metrics.PasswordReset("reset_requested", "ok");
        return AuthResult.Ok() with { CodeLength = delivery.CodeLength(reservation) };
    }

    /// <summary>
    /// A right reset code replaces the password and ends every session; anything else is "invalid or expired". A code
    /// whose password could not be stored (the hashing gate full, the database away) is given back with the 503.
    /// </summary>
    public async Task<AuthResult> ResetAsync(string email, string code, string newPassword, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        hashing.ThrowIfFull(); // before the code is spent
        var subject = SubjectOf(ids, email);
        var check = await codes.CheckAsync(subject, code, client, client[0].Key);
        if (check.Status != AuthStatus.Success)
        {
            metrics.PasswordReset("reset", FlowCodeCheck.Outcome(check));
            return check;
        }

        User? user;
        try
        {
            user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && u.VerifiedAt != null, cancellationToken);
            if (user is not null)
            {
                await ReplacePasswordAsync(user, newPassword, cancellationToken);
            }
        }
        catch (Exception)
        {
            await otp.GiveBackAsync(subject, code);
            throw;
        }

        if (user is null)
        {
            metrics.PasswordReset("reset", "invalid");
            return AuthStatus.InvalidCode;
        }

        await sessions.RevokeAllAsync(user.Id, except: null, "password_reset", cancellationToken);
        await throttle.PasswordReplacedAsync(email); // the owner proved the mailbox: their failed logins are forgiven
        SecurityEvents.PasswordChanged(SecurityEvents.Logger(loggers), user.Id, "reset by code", client[0].Key);
        metrics.PasswordReset("reset", "ok");
        await TellOwnerAsync(user, cancellationToken);
        return AuthResult.Ok(user);
    }

    /// <summary>The current password (checked under the login throttle, so a stolen token cannot guess it fast) for a new one.</summary>
    public async Task<AuthResult> ChangeAsync(
        Guid userId, Guid sessionId, string currentPassword, string newPassword, string client, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        var confirmed = await confirmation.ConfirmAsync(user, currentPassword, client, cancellationToken);
        if (confirmed.Status != AuthStatus.Success)
        {
            if (confirmed.Status == AuthStatus.InvalidCredentials)
            {
                metrics.PasswordReset("change", "wrong_password");
            }

            return confirmed;
        }

        await throttle.PasswordReplacedAsync(user.Email);
        await ReplacePasswordAsync(user, newPassword, cancellationToken);
        await sessions.RevokeAllAsync(user.Id, except: sessionId, "password_change", cancellationToken);
        SecurityEvents.PasswordChanged(SecurityEvents.Logger(loggers), user.Id, "changed", client);
        metrics.PasswordReset("change", "ok");
        await TellOwnerAsync(user, cancellationToken);
        return AuthResult.Ok(user);
    }

    private async Task ReplacePasswordAsync(User user, string newPassword, CancellationToken cancellationToken)
    {
        user.PasswordHash = await hashing.HashAsync(newPassword, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>"Your password was changed", to the owner. The change stands if the mail cannot go out; the failure is logged.</summary>
    private async Task TellOwnerAsync(User user, CancellationToken cancellationToken) =>
        await notices.TrySendAsync(new OutgoingMail(MailKind.PasswordChanged, user.Email, MailLanguage.Normalize(user.Language)), user.Id, cancellationToken);
}
