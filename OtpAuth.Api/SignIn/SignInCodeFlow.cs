using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Login;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.SignIn;

/// <summary>
/// Sign-in with a code mailed to a verified account, instead of its password. The request does the same work for every
/// address (reserve a send, queue the mail: <see cref="CodeMailBacklog"/>), so its answer and its time tell no account
/// from none; only the worker looks the address up and mails a verified account. The address has one live sign-in code
/// (a new request voids the previous one) under the code store's rules, and the code is bound to its sign-in's id: it
/// is worth nothing with another sign-in, another address or another purpose.
/// </summary>
public sealed partial class SignInCodeFlow(
    OtpAuthDbContext db,
    OtpStore otp,
    FlowCodeCheck codes,
    OtpHasher ids,
    CodeDelivery delivery,
    CodeMailBacklog queue,
    LoginThrottle throttle,
    SessionStore sessions,
    Mfa.SecondFactorSignIn secondFactor,
    ApiMetrics metrics,
    ILogger<SignInCodeFlow> logger,
    ILoggerFactory loggers)
{
    public TimeSpan CodeLifetime => delivery.CodeLifetime;

    public static CodeSubject SubjectOf(OtpHasher ids, string email, Guid signInId) =>
        new(CodePurpose.SignIn, ids.AddressSubject("signin", email), email, signInId);

    public async Task<AuthResult> RequestAsync(string email, IReadOnlyList<ClientNetwork> client)
    {
        var signInId = Guid.CreateVersion7();
        var subject = SubjectOf(ids, email, signInId);
        var reservation = await otp.TryReserveSendAsync(subject, client);
        if (!reservation.Reserved)
        {
            metrics.SignInCode("requested", "limited");
            return AuthResult.Limited(reservation.RetryAfter);
        }

        await queue.EnqueueAsync(new CodeMailJob(subject, MailKind.SignInCode, client));
        metrics.SignInCode("requested", "ok");
        return AuthResult.Ok() with { CodeLength = delivery.CodeLength(reservation), FlowId = signInId };
    }

    /// <summary>
    /// The right code of this sign-in starts a session (<c>amr: otp</c>) and, as a right password does, ends the login
    /// throttle's count for the account. A code whose session could not be started (the database away) is given back.
    /// </summary>
    public async Task<AuthResult> VerifyAsync(
        string email, string code, Guid signInId, IReadOnlyList<ClientNetwork> client, string clientIp, string? userAgent, CancellationToken cancellationToken)
    {
        var subject = SubjectOf(ids, email, signInId);
        var check = await codes.CheckAsync(subject, code, client, clientIp);
        if (check.Status != AuthStatus.Success)
        {
            metrics.SignInCode("verify", FlowCodeCheck.Outcome(check));
            return check;
        }

        User? user;
        IssuedSession? session = null;
        try
        {
            user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email && u.VerifiedAt != null, cancellationToken);
            if (user is { RequiresSecondFactor: true })
            {
                await throttle.SucceededAsync(email, clientIp);
                metrics.SignInCode("verify", "second_factor");
                return await secondFactor.ChallengeAsync(user, AuthenticationMethods.EmailCode, cancellationToken);
            }

            if (user is not null)
            {
                session = await sessions.StartAsync(user, userAgent, AuthenticationMethods.EmailCode, cancellationToken);
            }
        }
        catch (Exception)
        {
            await otp.GiveBackAsync(subject, code);
            throw;
        }

        if (user is null || session is null)
        {
            metrics.SignInCode("verify", "invalid"); // the account was deleted since its code was mailed
            return AuthStatus.InvalidCode;
        }

        await throttle.SucceededAsync(email, clientIp);
        SecurityEvents.SignedInByCode(SecurityEvents.Logger(loggers), user.Id, clientIp);
        LogSignedIn(user.Id);
        metrics.SignInCode("verify", "ok");
        return AuthResult.Ok(user, session);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} signed in with an emailed code")]
    private partial void LogSignedIn(Guid userId);
}
