using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.EmailChange;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Login;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;
using StackExchange.Redis;

namespace OtpAuth.Api.Account;

/// <summary>
/// Deleting an account, proved by its password or by a code mailed to it (for a person who signs in by code). Nothing of
/// it stays: the user row and with it (by cascade) its sessions, refresh tokens, ways back, recovery codes and passkeys, the pending registrations of
/// its address, and every Redis key about its addresses (codes, budgets, throttle, a pending change). What stays, by
/// design, is the revocation of its sessions in Redis (session ids only, until their last access token expires), so
/// those tokens are refused at once; the address can register again.
/// </summary>
public sealed partial class AccountDeletion(
    OtpAuthDbContext db,
    OtpStore otp,
    FlowCodeCheck codes,
    OtpHasher ids,
    CodeDelivery delivery,
    PasswordConfirmation confirmation,
    SessionStore sessions,
    IConnectionMultiplexer redis,
    PendingEmailChanges pending,
    IOtpEmailSender mail,
    AccountNotices notices,
    ApiMetrics metrics,
    ILogger<AccountDeletion> logger,
    ILoggerFactory loggers)
{
    public TimeSpan CodeLifetime => delivery.CodeLifetime;

    private static CodeSubject SubjectOf(User user) => new(CodePurpose.AccountDeletion, user.Id, user.Email);

    /// <summary>A deletion code to the account's address, under the code store's budgets.</summary>
    public async Task<AuthResult> SendCodeAsync(Guid userId, IReadOnlyList<ClientNetwork> client, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        var subject = SubjectOf(user);
        var reservation = await otp.TryReserveSendAsync(subject, client);
        if (!reservation.Reserved)
        {
            metrics.Account("delete_code", "limited");
            return AuthResult.Limited(reservation.RetryAfter);
        }

        var sent = await delivery.SendCodeAsync(subject, client, (code, lifetime) =>
            mail.SendAsync(new OutgoingMail(MailKind.AccountDeletionCode, user.Email, MailLanguage.Normalize(user.Language), code, lifetime), cancellationToken));
        metrics.Account("delete_code", sent.Status == AuthStatus.Success ? "ok" : "email_failed");
        return sent with { CodeLength = delivery.CodeLength(reservation) };
    }

    /// <summary>Deletes the account once its password (or its deletion code) is right.</summary>
    public async Task<AuthResult> DeleteAsync(
        Guid userId, string? password, string? code, IReadOnlyList<ClientNetwork> client, string clientIp, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        if (password is not null)
        {
            var confirmed = await confirmation.ConfirmAsync(user, password, clientIp, cancellationToken);
            if (confirmed.Status != AuthStatus.Success)
            {
                metrics.Account("delete", confirmed.Status == AuthStatus.RateLimited ? "limited" : "wrong_password");
                return confirmed;
            }
        }
        else
        {
            var check = await codes.CheckAsync(SubjectOf(user), code!, client, clientIp);
            if (check.Status != AuthStatus.Success)
            {
                metrics.Account("delete", FlowCodeCheck.Outcome(check));
                return check;
            }
        }

        // Revoked first (in PostgreSQL and in Redis), so the account's tokens are refused from here on.
        await sessions.RevokeAllAsync(user.Id, except: null, "account_deleted", cancellationToken);
        var addresses = await db.EmailReverts.Where(r => r.UserId == user.Id).Select(r => r.Email).ToListAsync(cancellationToken);
        addresses.Add(user.Email);
        var patterns = addresses.Distinct().Select(address => $"otpauth:*{ids.AddressKey(address)}*").ToList();
        patterns.Add($"otpauth:user:{user.Id:N}:*"); // a pending change, TOTP setup, passkey registration, second-factor failures
        if (await pending.FindAsync(user.Id) is { } change)
        {
            // Only the change's own code: the budgets of the address it was moving to are that address's, not the account's.
            patterns.Add($"otpauth:{{{ids.AddressKey(change.NewEmail)}}}:{CodePurpose.EmailChange.KeyName()}:{change.Id:N}:*");
        }

        await db.Database.ExecuteSqlAsync($"""
            WITH pending AS (DELETE FROM pending_registrations WHERE email = {user.Email})
            DELETE FROM users WHERE id = {user.Id}
            """, cancellationToken);
        await ForgetInRedisAsync(patterns);

        SecurityEvents.AccountDeleted(SecurityEvents.Logger(loggers), user.Id, password is not null ? "password" : "code", clientIp);
        LogDeleted(user.Id);
        metrics.Account("delete", "ok");
        await notices.TrySendAsync(new OutgoingMail(MailKind.AccountDeleted, user.Email, MailLanguage.Normalize(user.Language)), user.Id, CancellationToken.None);
        return AuthResult.Ok();
    }

    /// <summary>
    /// Every key naming the account or one of its addresses (by the addresses' opaque ids: keys hold no address). The
    /// keys of an address share a hash tag, and the rate limits name it too; a SCAN per pattern finds both.
    /// </summary>
    private async Task ForgetInRedisAsync(IEnumerable<string> patterns)
    {
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            foreach (var pattern in patterns)
            {
                var keys = new List<RedisKey>();
                await foreach (var key in server.KeysAsync(database.Database, pattern, pageSize: 1000))
                {
                    keys.Add(key);
                }

                foreach (var batch in keys.Chunk(500))
                {
                    await database.KeyDeleteAsync(batch);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} deleted their account")]
    private partial void LogDeleted(Guid userId);
}
