using OtpAuth.Api.Auth;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Otp;

/// <summary>
/// A mailed code checked for a flow that only needs its verdict (a reset, a sign-in, an address change or revert, a
/// deletion): right, a spent budget (429, with the security event), or "invalid or expired" for every other cause.
/// </summary>
public sealed class FlowCodeCheck(OtpStore otp, OtpHasher ids, ILoggerFactory loggers)
{
    /// <returns><see cref="AuthStatus.Success"/> (the code is used up), <see cref="AuthStatus.RateLimited"/> or <see cref="AuthStatus.InvalidCode"/>.</returns>
    public async Task<AuthResult> CheckAsync(CodeSubject subject, string code, IReadOnlyList<ClientNetwork> client, string clientIp)
    {
        var check = await otp.CheckAsync(subject, code, client);
        switch (check.Outcome)
        {
            case OtpCheck.Verified:
                return AuthResult.Ok();
            case OtpCheck.Locked:
                SecurityEvents.CodeLocked(SecurityEvents.Logger(loggers), ids.AddressKey(subject.Email), clientIp, (int)Math.Ceiling(check.RetryAfter.TotalSeconds));
                return AuthResult.Limited(check.RetryAfter);
            default:
                return AuthStatus.InvalidCode;
        }
    }

    /// <summary>The outcome's name for a flow's counter: ok, locked or invalid.</summary>
    public static string Outcome(AuthResult result) => result.Status switch
    {
        AuthStatus.Success => "ok",
        AuthStatus.RateLimited => "locked",
        _ => "invalid",
    };
}
