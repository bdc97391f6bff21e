using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
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

    /// <summary>The service cannot take the request now (mail budget spent, queue full); <see cref="AuthResult.RetryAfter"/> says when to retry.</summary>
    Busy,
}

/// <summary>What an operation came to; <see cref="RetryAfter"/> is set for <see cref="AuthStatus.RateLimited"/>.</summary>
public readonly record struct AuthResult(AuthStatus Status, TimeSpan RetryAfter = default, User? User = null, AccessToken? Token = null)
{
    public static AuthResult Ok(User? user = null, AccessToken? token = null) => new(AuthStatus.Success, User: user, Token: token);

    public static AuthResult Limited(TimeSpan retryAfter) => new(AuthStatus.RateLimited, retryAfter);

    public static AuthResult Busy(TimeSpan retryAfter) => new(AuthStatus.Busy, retryAfter);

    public static implicit operator AuthResult(AuthStatus status) => new(status);
}

/// <summary>
/// The account flows of DESIGN.md §3–4. Takes emails and passwords already normalized and validated by
/// <see cref="AuthApi"/>, and the client as <see cref="Security.ClientAddress"/> names it. Logs name users by id, never
/// by email, and never carry a code, password or token; security events go through <see cref="SecurityEvents"/>.
/// </summary>
public sealed partial class AuthService(
    OtpAuthDbContext db,
    PasswordHasher passwords,
    HashingGate hashing,
    OtpCodeGenerator codes,
    OtpStore otp,
    OtpHasher ids,
    IOtpEmailSender mail,
    ResendDispatcher resendDispatcher,
    RedisRateLimiter limiter,
    LoginThrottle loginThrottle,
    TokenIssuer tokens,
    ApiMetrics metrics,
    IOptions<OtpOptions> otpOptions,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<AuthService> logger,
    ILoggerFactory loggerFactory)
{
    private ILogger SecurityLog() => SecurityEvents.Logger(loggerFactory);

    public TimeSpan CodeLifetime => TimeSpan.FromSeconds(otpOptions.Value.ExpireSeconds);

    /// <summary>
    /// New address: an unverified account and a code. Unverified account: password replaced, new code. Verified
    /// account: <see cref="AuthStatus.AlreadyRegistered"/>, or with <c>Auth:ConcealExistingAccounts</c> the same work and
    /// answer as a new address, the mail telling the owner instead.
    /// </summary>
    public async Task<AuthResult> RegisterAsync(string email, string password, string client, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(email, cancellationToken);
        if (existing is { IsVerified: true })
        {
            return authOptions.Value.ConcealExistingAccounts
                ? await WithSendReservationAsync(email, () => NotifyOwnerAsync(existing, password, client, cancellationToken))
                : AuthStatus.AlreadyRegistered;
        }

        return await WithSendReservationAsync(email, async () =>
        {
            // Hashing comes after the rate limit so a flood of registrations cannot buy bcrypt work for free.
            var hash = await hashing.RunAsync(() => passwords.Hash(password), cancellationToken);
            // The old code is void before the password changes: no code issued for the previous password can verify
            // the new one (VerifyAsync also checks the password it read is still the account's).
            await otp.RevokeCodeAsync(email);
            var user = await SaveUnverifiedAsync(existing, email, hash, cancellationToken);
            if (user is null)
            {
                return AuthStatus.AlreadyRegistered;
            }

            LogRegistered(user.Id);
            metrics.Registered();
            return await SendNewCodeAsync(user, cancellationToken);
        });
    }

    /// <summary>
    /// The same answer, after the same work, whether or not the address has an unverified account: the send is reserved
    /// (cooldown and hourly cap per address, whoever asks) and queued; <see cref="DeliverResendAsync"/> mails it.
    /// </summary>
    public async Task<AuthResult> ResendAsync(string email)
    {
        var reservation = await otp.TryReserveSendAsync(email);
        if (!reservation.Reserved)
        {
            return AuthResult.Limited(reservation.RetryAfter);
        }

        if (resendDispatcher.TryEnqueue(email))
        {
            return AuthResult.Ok();
        }

        await ReleaseAfterFailureAsync(email, undeliveredCodeHash: null);
        return AuthResult.Busy(TimeSpan.FromSeconds(10));
    }

    /// <summary>The queued half of a resend: only an unverified account gets a code; any other address keeps its cooldown.</summary>
    public async Task DeliverResendAsync(string email, CancellationToken cancellationToken)
    {
        try
        {
            var user = await FindAsync(email, cancellationToken);
            if (user is { IsVerified: false })
            {
                await SendNewCodeAsync(user, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await ReleaseAfterFailureAsync(email, undeliveredCodeHash: null);
            throw;
        }
    }

    public async Task<AuthResult> VerifyAsync(string email, string code, string client, CancellationToken cancellationToken)
    {
        // Read before the code is consumed: the account is verified only if its password is still this one, so a
        // re-registration landing between the check and the write cannot have its password verified by an old code.
        var user = await FindAsync(email, cancellationToken);
        var passwordWhenChecked = user?.PasswordHash;
        var check = await otp.CheckAsync(email, code);
        if (check.Outcome == OtpCheck.Locked)
        {
            SecurityEvents.CodeLocked(SecurityLog(), ids.AddressKey(email), client, (int)Math.Ceiling(check.RetryAfter.TotalSeconds));
            metrics.Verified("locked");
            return AuthResult.Limited(check.RetryAfter);
        }

        if (check.Outcome != OtpCheck.Verified)
        {
            metrics.Verified(check.Outcome == OtpCheck.NoCode ? "expired" : "wrong");
            return AuthStatus.InvalidCode;
        }

        if (user is null || user.IsVerified
            || !await AccountPasswords.MarkVerifiedAsync(db, user, passwordWhenChecked!, clock.GetUtcNow(), cancellationToken))
        {
            metrics.Verified("wrong");
            return AuthStatus.InvalidCode;
        }

        LogVerified(user.Id);
        metrics.Verified("ok");
        return AuthResult.Ok(user);
    }

    /// <summary>
    /// Throttled per account first (<see cref="LoginThrottle"/>); then an unknown email costs one bcrypt verification
    /// too and is counted like a wrong password, so neither the time nor the answer tells whether the address has an
    /// account. "Not verified" is said only to someone who knows the password.
    /// </summary>
    public async Task<AuthResult> LoginAsync(string email, string password, string client, CancellationToken cancellationToken)
    {
        var attempt = await loginThrottle.BeginAsync(email, client);
        if (!attempt.Allowed)
        {
            SecurityEvents.AccountThrottled(SecurityLog(), ids.AddressKey(email), client, attempt.ConsecutiveFailures, attempt.Scope,
                (int)Math.Ceiling(attempt.RetryAfter.TotalSeconds));
            metrics.LoggedIn("throttled");
            return AuthResult.Limited(attempt.RetryAfter);
        }

        var user = await FindAsync(email, cancellationToken);
        var passwordMatches = await hashing.RunAsync(
            () => user is null ? passwords.VerifyAgainstDummy(password) : passwords.Verify(password, user.PasswordHash),
            cancellationToken);
        if (user is null || !passwordMatches)
        {
            SecurityEvents.LoginFailed(SecurityLog(), user?.Id, ids.AddressKey(email), client,
                user is null ? "no such account" : "wrong password", attempt.ConsecutiveFailures);
            metrics.LoggedIn("bad_password");
            return AuthStatus.InvalidCredentials;
        }

        await loginThrottle.SucceededAsync(email, client);
        await RehashIfNeededAsync(user, password, cancellationToken);
        if (!user.IsVerified)
        {
            metrics.LoggedIn("unverified");
            return AuthStatus.NotVerified;
        }

        user.LastLoginAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        LogLoggedIn(user.Id);
        metrics.LoggedIn("ok");
        return AuthResult.Ok(user, tokens.Issue(user));
    }

    /// <summary>
    /// A hash of another work factor than the configured one (the setting changed since it was stored) is replaced, so
    /// every account costs the same to check as the dummy hash behind an unknown address, and a raised cost takes effect.
    /// </summary>
    private async Task RehashIfNeededAsync(User user, string password, CancellationToken cancellationToken)
    {
        if (!passwords.NeedsRehash(user.PasswordHash))
        {
            return;
        }

        var previous = user.PasswordHash;
        var rehashed = await hashing.RunAsync(() => passwords.Hash(password), cancellationToken);
        if (await AccountPasswords.RehashAsync(db, user, previous, rehashed, cancellationToken))
        {
            LogRehashed(user.Id);
        }
    }

    public Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);

    private Task<User?> FindAsync(string email, CancellationToken cancellationToken) =>
        db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);

    /// <summary>
    /// Runs <paramref name="send"/> under a reserved send (cooldown and hourly cap, keyed on the address). If it does
    /// not end in a delivered mail, for any reason, the reservation is given back, so a later resend is not refused
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

    /// <summary>Registration of a verified account's address while concealing it: a hash and a mail, like a new account.</summary>
    private async Task<AuthResult> NotifyOwnerAsync(User owner, string password, string client, CancellationToken cancellationToken)
    {
        _ = await hashing.RunAsync(() => passwords.Hash(password), cancellationToken);
        SecurityEvents.RegistrationOfExistingAccount(SecurityLog(), owner.Id, client);
        return await SendMailAsync(owner, undeliveredCodeHash: null, () => mail.SendAccountExistsNoticeAsync(owner.Email, cancellationToken));
    }

    private async Task<AuthResult> SendNewCodeAsync(User user, CancellationToken cancellationToken)
    {
        var budget = await limiter.TryAcquireMailAsync();
        if (!budget.Allowed)
        {
            SecurityEvents.MailCapReached(SecurityLog(), user.Id);
            await ReleaseAfterFailureAsync(user.Email, undeliveredCodeHash: null);
            return AuthResult.Busy(budget.RetryAfter);
        }

        var code = codes.Generate();
        var codeHash = await otp.SaveCodeAsync(user.Email, code);
        // Always to the stored (normalized) address, never to the string the client sent.
        var result = await SendMailAsync(user, codeHash, () => mail.SendCodeAsync(user.Email, code, CodeLifetime, cancellationToken), budgetTaken: true);
        if (result.Status == AuthStatus.Success)
        {
            LogCodeSent(user.Id);
            metrics.CodeSent();
        }

        return result;
    }

    /// <summary>Sends one mail within the service-wide budget; on failure gives the address's reservation back.</summary>
    private async Task<AuthResult> SendMailAsync(User user, string? undeliveredCodeHash, Func<Task> send, bool budgetTaken = false)
    {
        if (!budgetTaken)
        {
            var budget = await limiter.TryAcquireMailAsync();
            if (!budget.Allowed)
            {
                SecurityEvents.MailCapReached(SecurityLog(), user.Id);
                await ReleaseAfterFailureAsync(user.Email, undeliveredCodeHash);
                return AuthResult.Busy(budget.RetryAfter);
            }
        }

        try
        {
            await send();
            return AuthResult.Ok(user);
        }
        catch (EmailDeliveryException exception)
        {
            // Only the failure's type and SMTP codes: a server's reply text can name the recipient ("550 <bob@x> rejected").
            LogEmailFailed(user.Id, exception.InnerException?.GetType().Name ?? nameof(EmailDeliveryException), EmailDeliveryException.SmtpCodes(exception.InnerException));
            await ReleaseAfterFailureAsync(user.Email, undeliveredCodeHash);
            return AuthStatus.EmailFailed;
        }
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

    /// <returns>The unverified account, or null when the address is verified (perhaps since it was loaded).</returns>
    private Task<User?> SaveUnverifiedAsync(User? user, string email, string passwordHash, CancellationToken cancellationToken) =>
        AccountPasswords.SaveUnverifiedAsync(db, user, email, passwordHash, clock.GetUtcNow(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered unverified user {UserId}")]
    private partial void LogRegistered(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent a verification code to user {UserId}")]
    private partial void LogCodeSent(Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email a verification code to user {UserId}: {ErrorType} {SmtpCodes}")]
    private partial void LogEmailFailed(Guid userId, string errorType, string smtpCodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rehashed the password of user {UserId} at the configured work factor")]
    private partial void LogRehashed(Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a reserved code send ({ErrorType}); it expires with its cooldown")]
    private partial void LogReleaseFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verified user {UserId}")]
    private partial void LogVerified(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private partial void LogLoggedIn(Guid userId);
}
