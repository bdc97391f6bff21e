using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Mfa;

/// <summary>A TOTP code or a recovery code of an account, under its failure budget, each accepted once.</summary>
public sealed class SecondFactorCheck(OtpAuthDbContext db, TotpCodes totp, RecoveryCodes recovery, MfaFailures failures, TimeProvider clock)
{
    /// <returns>Success (the code is used up), InvalidCode, or RateLimited with the wait.</returns>
    public async Task<AuthResult> VerifyCodeAsync(User user, string? code, string? recoveryCode, CancellationToken cancellationToken)
    {
        if (await failures.RefusalAsync(user.Id) is var wait && wait > TimeSpan.Zero)
        {
            return AuthResult.Limited(wait);
        }

        var now = clock.GetUtcNow();
        bool accepted;
        if (recoveryCode is not null)
        {
            var hash = recovery.Hash(user.Id, recoveryCode);
            var userId = user.Id;
            accepted = await db.RecoveryCodes.Where(r => r.UserId == userId && r.Hash == hash && r.UsedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.UsedAt, now), cancellationToken) == 1;
        }
        else
        {
            // A code of a step already used (or earlier) is a replay: only a later step moves the mark, once.
            accepted = user.TotpSecret is { } secret && TotpCodes.Match(totp.Unprotect(secret), code ?? "", now) is { } step
                && await db.Users.Where(u => u.Id == user.Id && u.TotpLastStep < step)
                    .ExecuteUpdateAsync(set => set.SetProperty(u => u.TotpLastStep, step), cancellationToken) == 1;
        }

        if (!accepted)
        {
            await failures.FailedAsync(user.Id);
            return AuthStatus.InvalidCode;
        }

        await failures.SucceededAsync(user.Id);
        return AuthResult.Ok(user);
    }
}
