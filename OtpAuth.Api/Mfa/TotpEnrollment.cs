using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;
using OtpAuth.Api.Users;
using QRCoder;
using StackExchange.Redis;

namespace OtpAuth.Api.Mfa;

/// <summary>What setup hands the person: the secret, as text, as an <c>otpauth://</c> URI and as that URI's QR code.</summary>
public sealed record TotpSetup(string Secret, string OtpauthUri, string QrSvg);

/// <summary>
/// Turning TOTP on and off. Setup keeps a new secret in Redis (encrypted) until a code from it confirms the person's app
/// has it; only then is it the account's, with ten new recovery codes. Turning it off takes a current code or a recovery
/// code. The owner is told by mail either way.
/// </summary>
public sealed partial class TotpEnrollment(
    OtpAuthDbContext db,
    TotpCodes totp,
    RecoveryCodes recovery,
    MfaFailures failures,
    SecondFactorCheck codeCheck,
    IConnectionMultiplexer redis,
    AccountNotices notices,
    ApiMetrics metrics,
    IOptions<MfaOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers)
{
    private static RedisKey SetupKey(Guid userId) => $"otpauth:user:{userId:N}:totp-setup";

    public async Task<(AuthStatus Status, TotpSetup? Setup)> SetupAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return (AuthStatus.InvalidCredentials, null);
        }

        if (user.TotpEnabledAt is not null)
        {
            return (AuthStatus.AlreadyRegistered, null);
        }

        var secret = TotpCodes.NewSecret();
        await redis.GetDatabase().StringSetAsync(SetupKey(userId), totp.Protect(secret), TimeSpan.FromSeconds(options.Value.SetupSeconds));
        var issuer = options.Value.TotpIssuer;
        var base32 = TotpCodes.Base32(secret);
        var uri = $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(user.Email)}?secret={base32}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={TotpCodes.Digits}&period=30";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        return (AuthStatus.Success, new TotpSetup(base32, uri, new SvgQRCode(data).GetGraphic(4)));
    }

    /// <summary>A code of the pending secret turns TOTP on; the answer is the recovery codes, in the clear this once.</summary>
    public async Task<(AuthResult Result, List<string>? RecoveryCodes)> ConfirmAsync(Guid userId, string code, string clientIp, CancellationToken cancellationToken)
    {
        if (await failures.RefusalAsync(userId) is { } wait && wait > TimeSpan.Zero)
        {
            return (AuthResult.Limited(wait), null);
        }

        var pending = await redis.GetDatabase().StringGetAsync(SetupKey(userId));
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (pending.IsNull || user is null || user.TotpEnabledAt is not null)
        {
            metrics.Mfa("totp_confirm", "no_setup");
            return (AuthStatus.InvalidCode, null);
        }

        var secret = totp.Unprotect((byte[])pending!);
        if (TotpCodes.Match(secret, code, clock.GetUtcNow()) is not { } step)
        {
            await failures.FailedAsync(userId);
            metrics.Mfa("totp_confirm", "invalid");
            return (AuthStatus.InvalidCode, null);
        }

        var codes = RecoveryCodes.Generate();
        var now = clock.GetUtcNow();
        var protectedSecret = totp.Protect(secret);
        var rows = codes.Select(c => new RecoveryCode { UserId = userId, Hash = recovery.Hash(userId, RecoveryCodes.Canonical(c)!), CreatedAt = now }).ToList();
        var enabled = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await db.Users.Where(u => u.Id == userId && u.TotpEnabledAt == null).ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.TotpSecret, protectedSecret)
                    .SetProperty(u => u.TotpEnabledAt, now)
                    .SetProperty(u => u.TotpLastStep, step), cancellationToken) == 0)
            {
                return false;
            }

            await db.RecoveryCodes.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            db.RecoveryCodes.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!enabled)
        {
            return (AuthStatus.InvalidCode, null);
        }

        await redis.GetDatabase().KeyDeleteAsync(SetupKey(userId));
        await failures.SucceededAsync(userId);
        SecurityEvents.SecondFactorChanged(SecurityEvents.Logger(loggers), userId, "totp added", clientIp);
        metrics.Mfa("totp_confirm", "ok");
        await notices.TrySendAsync(new OutgoingMail(MailKind.SecondFactorAdded, user.Email, MailLanguage.Normalize(user.Language)), userId, CancellationToken.None);
        return (AuthResult.Ok(user), codes);
    }

    /// <summary>A current TOTP code or a recovery code turns TOTP off and voids the recovery codes.</summary>
    public async Task<AuthResult> RemoveAsync(Guid userId, string? code, string? recoveryCode, string clientIp, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user?.TotpEnabledAt is null)
        {
            return AuthStatus.NotVerified;
        }

        var check = await codeCheck.VerifyCodeAsync(user, code, recoveryCode, cancellationToken);
        if (check.Status != AuthStatus.Success)
        {
            metrics.Mfa("totp_remove", check.Status == AuthStatus.RateLimited ? "locked" : "invalid");
            return check;
        }

        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.TotpSecret, (byte[]?)null)
            .SetProperty(u => u.TotpEnabledAt, (DateTimeOffset?)null), cancellationToken);
        await db.RecoveryCodes.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        SecurityEvents.SecondFactorChanged(SecurityEvents.Logger(loggers), userId, "totp removed", clientIp);
        metrics.Mfa("totp_remove", "ok");
        await notices.TrySendAsync(new OutgoingMail(MailKind.SecondFactorRemoved, user.Email, MailLanguage.Normalize(user.Language)), userId, CancellationToken.None);
        return AuthResult.Ok(user);
    }
}
