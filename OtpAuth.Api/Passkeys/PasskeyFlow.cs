using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;
using StackExchange.Redis;

namespace OtpAuth.Api.Passkeys;

/// <summary>
/// An account's passkeys: adding one (with a recent sign-in), listing and removing them, and signing in with one alone —
/// a passkey is possession of a key plus the device's user verification, two factors, so it needs no password and no
/// second step. The owner is told by mail when one is added or removed.
/// </summary>
public sealed class PasskeyFlow(
    OtpAuthDbContext db,
    PasskeyCeremonies ceremonies,
    SessionStore sessions,
    AccountNotices notices,
    ApiMetrics metrics,
    ILoggerFactory loggers)
{
    public const int MaxNameLength = 64;

    private static RedisKey RegistrationKey(Guid userId) => $"otpauth:user:{userId:N}:passkey-registration";

    private static RedisKey SignInKey(Guid flowId) => $"otpauth:passkey-sign-in:{flowId:N}";

    public async Task<string?> RegistrationOptionsAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken) is { } user
            ? await ceremonies.CreationOptionsAsync(user, RegistrationKey(userId), cancellationToken)
            : null;

    /// <summary>The new passkey, or null when the answer does not hold (or answers no options of this account's).</summary>
    public async Task<Passkey?> RegisterAsync(Guid userId, string name, JsonElement credential, string clientIp, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var passkey = user is null ? null : await ceremonies.CreateAsync(user, RegistrationKey(userId), credential, name, cancellationToken);
        if (user is null || passkey is null)
        {
            metrics.Passkey("register", "invalid");
            return null;
        }

        db.Passkeys.Add(passkey);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            metrics.Passkey("register", "invalid"); // another account registered this credential id meanwhile
            return null;
        }

        SecurityEvents.SecondFactorChanged(SecurityEvents.Logger(loggers), userId, "passkey added", clientIp);
        metrics.Passkey("register", "ok");
        await notices.TrySendAsync(new OutgoingMail(MailKind.PasskeyAdded, user.Email, MailLanguage.Normalize(user.Language), Detail: name), userId, CancellationToken.None);
        return passkey;
    }

    public Task<List<Passkey>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Passkeys.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>Removes one of the account's passkeys; false when the account has none with that id (another account's included).</summary>
    public async Task<bool> RemoveAsync(Guid userId, Guid passkeyId, string clientIp, CancellationToken cancellationToken)
    {
        var passkey = await db.Passkeys.AsNoTracking().SingleOrDefaultAsync(p => p.Id == passkeyId && p.UserId == userId, cancellationToken);
        if (passkey is null || await db.Passkeys.Where(p => p.Id == passkeyId && p.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }

        SecurityEvents.SecondFactorChanged(SecurityEvents.Logger(loggers), userId, "passkey removed", clientIp);
        metrics.Passkey("remove", "ok");
        if (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken) is { } user)
        {
            await notices.TrySendAsync(new OutgoingMail(MailKind.PasskeyRemoved, user.Email, MailLanguage.Normalize(user.Language), Detail: passkey.Name), userId, CancellationToken.None);
        }

        return true;
    }

    public async Task<(Guid FlowId, string Options)> SignInOptionsAsync(CancellationToken cancellationToken)
    {
        var flowId = Guid.CreateVersion7();
        return (flowId, await ceremonies.RequestOptionsAsync(user: null, SignInKey(flowId), cancellationToken));
    }

    /// <summary>A passkey's answer to the sign-in's own challenge starts a session; anything else is null.</summary>
    public async Task<IssuedSession?> SignInAsync(Guid flowId, JsonElement credential, string? userAgent, string clientIp, CancellationToken cancellationToken)
    {
        var assertion = await ceremonies.AssertAsync(SignInKey(flowId), credential, expectedUser: null, cancellationToken);
        var session = assertion is null ? null : await sessions.StartAsync(assertion.User, userAgent,
            AuthenticationMethods.Join([assertion.KeyMethod, AuthenticationMethods.UserVerified, AuthenticationMethods.MultiFactor]), cancellationToken);
        if (assertion is null || session is null)
        {
            metrics.Passkey("sign_in", "invalid");
            return null;
        }

        SecurityEvents.SignedInWith(SecurityEvents.Logger(loggers), assertion.User.Id, "passkey", clientIp);
        metrics.Passkey("sign_in", "ok");
        return session;
    }
}
