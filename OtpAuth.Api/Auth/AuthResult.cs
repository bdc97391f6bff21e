using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Auth;

public enum AuthStatus
{
    Success,
    AlreadyRegistered,
    InvalidCode,
    InvalidCredentials,
    NotVerified,
    RateLimited,
    EmailFailed,

    /// <summary>The service cannot take the request now (mail budget spent); <see cref="AuthResult.RetryAfter"/> says when to retry.</summary>
    Busy,

    /// <summary>The address belongs to another account (or is reserved for one that moved away from it).</summary>
    AddressTaken,

    /// <summary>The first factor was right; the account has a second (<see cref="AuthResult.MfaToken"/> continues the sign-in).</summary>
    SecondFactorRequired,
}

/// <summary>
/// What a flow came to; <see cref="RetryAfter"/> is set for <see cref="AuthStatus.RateLimited"/> and
/// <see cref="AuthStatus.Busy"/>, <see cref="CodeLength"/> for a flow that (may have) mailed a code: how long that code is,
/// and <see cref="FlowId"/> the id the client names that code's flow by (a sign-in, an address change).
/// </summary>
public readonly record struct AuthResult(
    AuthStatus Status, TimeSpan RetryAfter = default, User? User = null, IssuedSession? Session = null, Guid? RegistrationId = null, int CodeLength = 0, Guid? FlowId = null,
    string? MfaToken = null, IReadOnlyList<string>? MfaMethods = null)
{
    public static AuthResult Ok(User? user = null, IssuedSession? session = null) => new(AuthStatus.Success, User: user, Session: session);

    public static AuthResult Limited(TimeSpan retryAfter) => new(AuthStatus.RateLimited, retryAfter);

    public static AuthResult Busy(TimeSpan retryAfter) => new(AuthStatus.Busy, retryAfter);

    public static implicit operator AuthResult(AuthStatus status) => new(status);
}
