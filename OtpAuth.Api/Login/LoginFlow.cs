using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Login;

/// <summary>
/// Login. Throttled per account first (<see cref="LoginThrottle"/>); then exactly one bcrypt verification
/// whatever the address (its account, else its newest pending registration, else a dummy hash), so neither the time nor
/// the answer tells an account from none. "Not verified" (403) is said only to someone whose password matches a pending
/// registration of the address. With <c>Auth:ConcealExistingAccounts</c> every try but an account's right password costs
/// two verifications on both paths (the account's hash or a dummy, then the newest pending registration's or a dummy),
/// so that a password registered for an existing account's address answers 403 as it would for a new one, as fast.
/// </summary>
public sealed partial class LoginFlow(
    OtpAuthDbContext db,
    PasswordHasher passwords,
    HashingGate hashing,
    LoginThrottle throttle,
    SessionStore sessions,
    Mfa.SecondFactorSignIn secondFactor,
    OtpHasher ids,
    ApiMetrics metrics,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<LoginFlow> logger,
    ILoggerFactory loggers)
{
    /// <summary>Every login's first read, compiled once: a LINQ query is otherwise funcletized and looked up in EF's cache at each call.</summary>
    private static readonly Func<OtpAuthDbContext, string, CancellationToken, Task<User?>> AccountByEmail =
        EF.CompileAsyncQuery((OtpAuthDbContext db, string email, CancellationToken _) => db.Users.SingleOrDefault(u => u.Email == email));

    public async Task<AuthResult> LoginAsync(string email, string password, string client, string? userAgent, CancellationToken cancellationToken)
    {
        hashing.ThrowIfFull(); // refused before the throttle counts it: nothing to give back
        var attempt = await throttle.BeginAsync(email, client);
        if (!attempt.Allowed)
        {
            SecurityEvents.AccountThrottled(SecurityEvents.Logger(loggers), ids.AddressKey(email), client, attempt.ConsecutiveFailures, attempt.Scope,
                (int)Math.Ceiling(attempt.RetryAfter.TotalSeconds));
            metrics.LoggedIn("throttled");
            return AuthResult.Limited(attempt.RetryAfter);
        }

        try
        {
            return await CheckAsync(email, password, client, userAgent, attempt, cancellationToken);
        }
        catch (HashingBusyException)
        {
            await throttle.GiveBackAsync(email, client, attempt);
            throw;
        }
    }

    private async Task<AuthResult> CheckAsync(string email, string password, string client, string? userAgent, LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var conceal = authOptions.Value.ConcealExistingAccounts;
        var user = await AccountByEmail(db, email, cancellationToken);
        if (user is not null && await VerifyAsync(password, user.PasswordHash, cancellationToken))
        {
            return await SucceedAsync(user, email, password, client, userAgent, cancellationToken);
        }

        if (user is null && conceal)
        {
            _ = await VerifyAsync(password, hash: null, cancellationToken); // the twin of the account's check
        }

        // No account: the newest pending registration is the one check. An account with a wrong password: only when
        // concealing, the same second check, so the password a stranger just registered answers 403 on both paths.
        if (user is null || conceal)
        {
            var now = clock.GetUtcNow();
            var pendingHash = await db.PendingRegistrations.AsNoTracking()
                .Where(p => p.Email == email && p.ExpiresAt > now)
                .OrderByDescending(p => p.CreatedAt)
                .Select(p => p.PasswordHash)
                .FirstOrDefaultAsync(cancellationToken);
            if (await VerifyAsync(password, pendingHash, cancellationToken))
            {
                await throttle.GiveBackAsync(email, client, attempt);
                metrics.LoggedIn("unverified");
                return AuthStatus.NotVerified;
            }
        }

        SecurityEvents.LoginFailed(SecurityEvents.Logger(loggers), user?.Id, ids.AddressKey(email), client,
            user is null ? "no such account" : "wrong password", attempt.ConsecutiveFailures);
        metrics.LoggedIn("bad_password");
        return AuthStatus.InvalidCredentials;
    }

    private async Task<AuthResult> SucceedAsync(User user, string email, string password, string client, string? userAgent, CancellationToken cancellationToken)
    {
        await throttle.SucceededAsync(email, client);
        await RehashIfNeededAsync(user, password, cancellationToken);
        if (user.RequiresSecondFactor)
        {
            metrics.LoggedIn("second_factor");
            return await secondFactor.ChallengeAsync(user, AuthenticationMethods.Password, cancellationToken);
        }

        // The session's rows and the account's last login time are one statement (SessionStore.StartAsync).
        if (await sessions.StartAsync(user, userAgent, AuthenticationMethods.Password, cancellationToken) is not { } session)
        {
            metrics.LoggedIn("bad_password"); // the account was deleted since it was read: there is none to sign in to
            return AuthStatus.InvalidCredentials;
        }

        LogLoggedIn(user.Id);
        metrics.LoggedIn("ok");
        return AuthResult.Ok(user, session);
    }

    /// <summary>One bcrypt verification under the hashing gate; against the dummy hash when there is nothing to check.</summary>
    private Task<bool> VerifyAsync(string password, string? hash, CancellationToken cancellationToken) =>
        hash is null ? hashing.VerifyAgainstDummyAsync(password, cancellationToken) : hashing.VerifyAsync(password, hash, cancellationToken);

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
        var rehashed = await hashing.HashAsync(password, cancellationToken);
        if (await AccountPasswords.RehashAsync(db, user, previous, rehashed, cancellationToken))
        {
            LogRehashed(user.Id);
        }
    }

    public Task<User?> FindByIdAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private partial void LogLoggedIn(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rehashed the password of user {UserId} at the configured work factor")]
    private partial void LogRehashed(Guid userId);
}
