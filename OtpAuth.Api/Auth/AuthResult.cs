using OtpAuth.Api.Tokens;
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
}

/// <summary>What a flow came to; <see cref="RetryAfter"/> is set for <see cref="AuthStatus.RateLimited"/> and <see cref="AuthStatus.Busy"/>.</summary>
public readonly record struct AuthResult(
    AuthStatus Status, TimeSpan RetryAfter = default, User? User = null, AccessToken? Token = null, Guid? RegistrationId = null)
{
    public static AuthResult Ok(User? user = null, AccessToken? token = null) => new(AuthStatus.Success, User: user, Token: token);

    public static AuthResult Limited(TimeSpan retryAfter) => new(AuthStatus.RateLimited, retryAfter);

    public static AuthResult Busy(TimeSpan retryAfter) => new(AuthStatus.Busy, retryAfter);

    public static implicit operator AuthResult(AuthStatus status) => new(status);
}
