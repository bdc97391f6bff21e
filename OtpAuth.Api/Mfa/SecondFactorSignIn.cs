using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Passkeys;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Mfa;

/// <summary>
/// The second step of a sign-in. An account with TOTP on answers a right first factor (a password, an emailed code) with
/// an <c>mfa_token</c> and no tokens; the token, short-lived and single use, then takes a TOTP code, a recovery code or
/// one of the account's passkeys. Nothing that replaces the first factor (a password reset) removes the second.
/// </summary>
public sealed class SecondFactorSignIn(
    OtpAuthDbContext db,
    MfaChallenges challenges,
    SecondFactorCheck codeCheck,
    PasskeyCeremonies passkeys,
    SessionStore sessions,
    ApiMetrics metrics,
    ILoggerFactory loggers)
{
    public const string Totp = "totp";
    public const string RecoveryCode = "recovery_code";
    public const string Passkey = "passkey";

    /// <summary>The first factor was right: a challenge for the second, naming the ways the account can answer it.</summary>
    public async Task<AuthResult> ChallengeAsync(User user, string firstMethod, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var methods = new List<string> { Totp, RecoveryCode };
        if (await db.Passkeys.AnyAsync(p => p.UserId == userId, cancellationToken))
        {
            methods.Add(Passkey);
        }

        var token = await challenges.CreateAsync(userId, firstMethod);
        metrics.Mfa("challenge", "ok");
        return new AuthResult(AuthStatus.SecondFactorRequired, User: user, MfaToken: token, MfaMethods: methods);
    }

    /// <summary>Request options for the account's passkeys, kept beside the challenge; null when the token is not live.</summary>
    public async Task<string?> PasskeyOptionsAsync(string token, CancellationToken cancellationToken)
    {
        if (await challenges.FindAsync(token) is not { } challenge)
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == challenge.UserId, cancellationToken);
        return user is null ? null : await passkeys.RequestOptionsAsync(user, MfaChallenges.SideKey(token, "passkey"), cancellationToken);
    }

    /// <summary>The second factor for the challenge: a new session, or the reason there is none.</summary>
    public async Task<AuthResult> VerifyAsync(
        string token, string? code, string? recoveryCode, JsonElement? credential, string? userAgent, string clientIp, CancellationToken cancellationToken)
    {
        if (await challenges.ClaimAsync(token) is not { } challenge)
        {
            metrics.Mfa("verify", "no_challenge");
            return AuthStatus.InvalidCredentials;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == challenge.UserId, cancellationToken);
        if (user is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        string secondMethod;
        AuthResult check;
        if (credential is { } answer)
        {
            var assertion = await passkeys.AssertAsync(MfaChallenges.SideKey(token, "passkey"), answer, expectedUser: user.Id, cancellationToken);
            check = assertion is null ? AuthStatus.InvalidCode : AuthResult.Ok(user);
            secondMethod = assertion?.KeyMethod ?? "";
        }
        else
        {
            check = await codeCheck.VerifyCodeAsync(user, code, recoveryCode, cancellationToken);
            secondMethod = AuthenticationMethods.OneTimeCode;
        }

        if (check.Status != AuthStatus.Success)
        {
            await challenges.ReturnAsync(token, challenge);
            SecurityEvents.SecondFactorFailed(SecurityEvents.Logger(loggers), user.Id, credential is not null ? Passkey : recoveryCode is not null ? RecoveryCode : Totp, clientIp);
            metrics.Mfa("verify", check.Status == AuthStatus.RateLimited ? "locked" : "invalid");
            return check;
        }

        var methods = AuthenticationMethods.Split(challenge.FirstMethods).Append(secondMethod).Append(AuthenticationMethods.MultiFactor);
        var session = await sessions.StartAsync(user, userAgent, AuthenticationMethods.Join(methods), cancellationToken);
        if (session is null)
        {
            return AuthStatus.InvalidCredentials;
        }

        SecurityEvents.SignedInWith(SecurityEvents.Logger(loggers), user.Id,
            credential is not null ? "second factor: passkey" : recoveryCode is not null ? "second factor: recovery code" : "second factor: totp", clientIp);
        metrics.Mfa("verify", "ok");
        return AuthResult.Ok(user, session);
    }
}
