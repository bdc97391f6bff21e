using OtpAuth.Api.Auth;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Login;

/// <summary>
/// The account's password asked again by a signed-in session (to change the password or the address, to delete the
/// account): checked under the login throttle, so a stolen token cannot guess it faster than a stranger could.
/// </summary>
public sealed class PasswordConfirmation(LoginThrottle throttle, HashingGate hashing)
{
    /// <returns><see cref="AuthStatus.Success"/>, <see cref="AuthStatus.InvalidCredentials"/> or a rate limit.</returns>
    public async Task<AuthResult> ConfirmAsync(User user, string password, string clientIp, CancellationToken cancellationToken)
    {
        var attempt = await throttle.BeginAsync(user.Email, clientIp);
        if (!attempt.Allowed)
        {
            return AuthResult.Limited(attempt.RetryAfter);
        }

        bool matches;
        try
        {
            matches = await hashing.VerifyAsync(password, user.PasswordHash, cancellationToken);
        }
        catch (HashingBusyException)
        {
            await throttle.GiveBackAsync(user.Email, clientIp, attempt);
            throw;
        }

        if (!matches)
        {
            return AuthStatus.InvalidCredentials;
        }

        await throttle.SucceededAsync(user.Email, clientIp);
        return AuthResult.Ok(user);
    }
}
