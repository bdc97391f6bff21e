using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OtpAuth.Api.Email;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
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
}

/// <summary>What an operation came to; <see cref="RetryAfter"/> is set for <see cref="AuthStatus.RateLimited"/>.</summary>
public readonly record struct AuthResult(AuthStatus Status, TimeSpan RetryAfter = default, User? User = null, AccessToken? Token = null)
{
    public static AuthResult Ok(User? user = null, AccessToken? token = null) => new(AuthStatus.Success, User: user, Token: token);

    public static AuthResult Limited(TimeSpan retryAfter) => new(AuthStatus.RateLimited, retryAfter);

    public static implicit operator AuthResult(AuthStatus status) => new(status);
}

/// <summary>
/// The account flows of DESIGN.md §3–4. Takes emails and passwords already normalized and validated by
/// <see cref="AuthApi"/>. Logs name users by id, never by email, and never carry a code, password or token.
/// </summary>
public sealed partial class AuthService(
    OtpAuthDbContext db,
    PasswordHasher passwords,
    OtpCodeGenerator codes,
    OtpStore otp,
    IOtpEmailSender mail,
    LoginThrottle loginThrottle,
    TokenIssuer tokens,
    IOptions<OtpOptions> otpOptions,
    TimeProvider clock,
    ILogger<AuthService> logger)
{
    public TimeSpan CodeLifetime => TimeSpan.FromSeconds(otpOptions.Value.ExpireSeconds);

    /// <summary>New address: an unverified account and a code. Unverified account: password replaced, new code.</summary>
    public async Task<AuthResult> RegisterAsync(string email, string password, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(email, cancellationToken);
        if (existing is { IsVerified: true })
        {
            return AuthStatus.AlreadyRegistered;
        }

        return await WithSendReservationAsync(email, async () =>
        {
            // Hashing comes after the rate limit so a flood of registrations cannot buy bcrypt work for free.
            var user = await SaveUnverifiedAsync(existing, email, passwords.Hash(password), cancellationToken);
            if (user is null)
            {
                return AuthStatus.AlreadyRegistered;
            }

            LogRegistered(user.Id);
            return await SendNewCodeAsync(user, cancellationToken);
        });
    }

    /// <summary>The same answer whether or not the address has an unverified account; only such an account gets mail.</summary>
    public Task<AuthResult> ResendAsync(string email, CancellationToken cancellationToken) =>
        WithSendReservationAsync(email, async () =>
        {
            var user = await FindAsync(email, cancellationToken);
            return user is { IsVerified: false } ? await SendNewCodeAsync(user, cancellationToken) : AuthResult.Ok();
        });

    public async Task<AuthResult> VerifyAsync(string email, string code, CancellationToken cancellationToken)
    {
        var check = await otp.CheckAsync(email, code);
        if (check.Outcome == OtpCheck.Locked)
        {
            return AuthResult.Limited(check.RetryAfter);
        }

        if (check.Outcome != OtpCheck.Verified)
        {
            return AuthStatus.InvalidCode;
        }

        var user = await FindAsync(email, cancellationToken);
        if (user is null || user.IsVerified)
        {
            return AuthStatus.InvalidCode;
        }

        user.VerifiedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        LogVerified(user.Id);
        return AuthResult.Ok(user);
    }

    /// <summary>
    /// An unknown email costs one bcrypt verification too, and is counted like a wrong password, so neither the time
    /// nor the answer tells whether the address has an account. "Not verified" is said only to someone who knows the password.
    /// </summary>
    public async Task<AuthResult> LoginAsync(string email, string password, CancellationToken cancellationToken)
    {
        var lockout = await loginThrottle.GetLockoutAsync(email);
        if (lockout > TimeSpan.Zero)
        {
            return AuthResult.Limited(lockout);
        }

        var user = await FindAsync(email, cancellationToken);
        var passwordMatches = user is null
            ? passwords.VerifyAgainstDummy(password)
            : passwords.Verify(password, user.PasswordHash);
        if (user is null || !passwordMatches)
        {
            await loginThrottle.RecordFailureAsync(email);
            return AuthStatus.InvalidCredentials;
        }

        if (!user.IsVerified)
        {
            return AuthStatus.NotVerified;
        }

        user.LastLoginAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await loginThrottle.ResetAsync(email);
        LogLoggedIn(user.Id);
        return AuthResult.Ok(user, tokens.Issue(user));
    }

    public Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);

    private Task<User?> FindAsync(string email, CancellationToken cancellationToken) =>
        db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);

    /// <summary>
    /// Runs <paramref name="send"/> under a reserved send (cooldown and hourly cap, keyed on the address). If it does
    /// not end in a delivered code, for any reason, the reservation is given back, so a later resend is not refused
    /// for a code nobody received.
    /// </summary>
    private async Task<AuthResult> WithSendReservationAsync(string email, Func<Task<AuthResult>> send)
    {
        var reservation = await otp.TryReserveSendAsync(email);
        if (!reservation.Reserved)
        {
            return AuthResult.Limited(reservation.RetryAfter);
        }

        try
        {
            var result = await send();
            if (result.Status is AuthStatus.AlreadyRegistered)
            {
                await otp.ReleaseSendAsync(email, undeliveredCodeHash: null);
            }

            return result;
        }
        catch (Exception)
        {
            await ReleaseAfterFailureAsync(email, undeliveredCodeHash: null);
            throw;
        }
    }

    private async Task<AuthResult> SendNewCodeAsync(User user, CancellationToken cancellationToken)
    {
        var code = codes.Generate();
        var codeHash = await otp.SaveCodeAsync(user.Email, code);
        try
        {
            // Always to the stored (normalized) address, never to the string the client sent.
            await mail.SendCodeAsync(user.Email, code, CodeLifetime, cancellationToken);
        }
        catch (EmailDeliveryException exception)
        {
            LogEmailFailed(user.Id, exception.Message, exception.InnerException?.Message);
            await ReleaseAfterFailureAsync(user.Email, codeHash);
            return AuthStatus.EmailFailed;
        }

        LogCodeSent(user.Id);
        return AuthResult.Ok(user);
    }

    private async Task ReleaseAfterFailureAsync(string email, string? undeliveredCodeHash)
    {
        try
        {
            await otp.ReleaseSendAsync(email, undeliveredCodeHash);
        }
        catch (StackExchange.Redis.RedisException exception)
        {
            // Redis being down is most likely why we are here; the reservation then expires with its cooldown.
            LogReleaseFailed(exception.GetType().Name);
        }
    }

    /// <returns>The unverified account, or null when the address turned out to be verified meanwhile.</returns>
    private async Task<User?> SaveUnverifiedAsync(User? user, string email, string passwordHash, CancellationToken cancellationToken)
    {
        if (user is null)
        {
            user = new User { Email = email, PasswordHash = passwordHash, CreatedAt = clock.GetUtcNow() };
            db.Users.Add(user);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return user;
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent registration of the same address won the insert: carry on with that account.
                db.ChangeTracker.Clear();
                user = await db.Users.SingleAsync(u => u.Email == email, cancellationToken);
            }
        }

        if (user.IsVerified)
        {
            return null;
        }

        user.PasswordHash = passwordHash;
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered unverified user {UserId}")]
    private partial void LogRegistered(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent a verification code to user {UserId}")]
    private partial void LogCodeSent(Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email a verification code to user {UserId}: {Reason} ({Cause})")]
    private partial void LogEmailFailed(Guid userId, string reason, string? cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a reserved code send ({ErrorType}); it expires with its cooldown")]
    private partial void LogReleaseFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verified user {UserId}")]
    private partial void LogVerified(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private partial void LogLoggedIn(Guid userId);
}
