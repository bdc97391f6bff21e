using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Otp;

/// <summary>
/// Mails one code (or a notice) within the service-wide mail budget, always to the stored normalized address. If it
/// does not end in a mail the server accepted, for any reason, the send reserved for it is given back (and an undelivered
/// code removed), so a later request is not refused for a code nobody received. Logs name the subject by id only.
/// </summary>
public sealed partial class CodeDelivery(
    OtpStore otp,
    OtpCodeGenerator codes,
    RedisRateLimiter limiter,
    ApiMetrics metrics,
    IOptions<OtpOptions> options,
    ILogger<CodeDelivery> logger,
    ILoggerFactory loggers)
{
    public TimeSpan CodeLifetime => TimeSpan.FromSeconds(options.Value.ExpireSeconds);

    /// <summary>The length of the codes a reservation's subject gets: long once its address's codes are being guessed at.</summary>
    public int CodeLength(SendReservation reservation) => reservation.LongCodes ? options.Value.LongCodeLength : options.Value.Length;

    /// <summary>
    /// A new code for <paramref name="subject"/> (replacing its previous one), sent by <paramref name="send"/>. With
    /// <paramref name="keepReservation"/> a send that fails keeps its reservation (only the undelivered code goes): for a
    /// request that was answered before anyone knew whether a mail would go out, and must leave the same state behind
    /// whether or not one did. A code lives <see cref="CodeLifetime"/> unless <paramref name="lifetime"/> says otherwise.
    /// </summary>
    public async Task<AuthResult> SendCodeAsync(
        CodeSubject subject, IReadOnlyList<ClientNetwork> client, Func<string, TimeSpan, Task> send, bool keepReservation = false, TimeSpan? lifetime = null)
    {
        if (await TryTakeMailBudgetAsync(subject, client, releaseCooldown: !keepReservation) is { } busy)
        {
            return busy;
        }

        var (code, codeHash) = await otp.SaveNewCodeAsync(subject, codes.Generate(), codes.GenerateLong(), lifetime);
        var result = await DeliverAsync(subject, client, codeHash, () => send(OtpCodeGenerator.Display(code), lifetime ?? CodeLifetime), keepReservation);
        if (result.Status == AuthStatus.Success)
        {
            LogCodeSent(subject.Purpose, subject.Id);
            metrics.CodeSent();
        }

        return result;
    }

    /// <summary>
    /// A mail that carries no code (a notice to the owner of an address), under the same budget and rules. The subject
    /// still gets a code, one nobody can enter (not six digits), so the notice costs what a code mail costs (the same
    /// Redis script) and a guess at its code fails as at any other: with conceal mode on, the two must not be told
    /// apart by their time.
    /// </summary>
    public async Task<AuthResult> SendNoticeAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client, Func<Task> send)
    {
        if (await TryTakeMailBudgetAsync(subject, client) is { } busy)
        {
            return busy;
        }

        var unenterable = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var (_, codeHash) = await otp.SaveNewCodeAsync(subject, unenterable, unenterable);
        return await DeliverAsync(subject, client, codeHash, send, keepReservation: false);
    }

    /// <summary>Gives a reserved send back (a flow that reserved one and then did not get as far as mailing).</summary>
    public async Task ReleaseAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client, string? undeliveredCodeHash = null)
    {
        try
        {
            await otp.ReleaseSendAsync(subject, client, undeliveredCodeHash);
        }
        catch (StackExchange.Redis.RedisException exception)
        {
            // Redis being down is most likely why we are here; the reservation then expires with its window.
            LogReleaseFailed(exception.GetType().Name);
        }
    }

    private async Task<AuthResult?> TryTakeMailBudgetAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client, bool releaseCooldown = true)
    {
        var budget = await limiter.TryAcquireMailAsync(client);
        if (budget.Allowed)
        {
            return null;
        }

        SecurityEvents.MailCapReached(SecurityEvents.Logger(loggers), subject.Id, budget.RefusedBy);
        metrics.MailRefused(budget.RefusedBy);
        if (releaseCooldown)
        {
            await ReleaseAsync(subject, client);
        }

        return AuthResult.Busy(budget.RetryAfter);
    }

    private async Task<AuthResult> DeliverAsync(
        CodeSubject subject, IReadOnlyList<ClientNetwork> client, string? undeliveredCodeHash, Func<Task> send, bool keepReservation)
    {
        try
        {
            await send();
            return AuthResult.Ok();
        }
        catch (EmailDeliveryException exception)
        {
            // Only the failure's type and SMTP codes: a server's reply text can name the recipient ("550 <bob@x> rejected").
            LogEmailFailed(subject.Purpose, subject.Id, exception.InnerException?.GetType().Name ?? nameof(EmailDeliveryException),
                EmailDeliveryException.SmtpCodes(exception.InnerException));
            if (keepReservation)
            {
                await otp.RevokeCodeAsync(subject, undeliveredCodeHash);
            }
            else
            {
                await ReleaseAsync(subject, client, undeliveredCodeHash);
            }

            return AuthStatus.EmailFailed;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent a {Purpose} code for {SubjectId}")]
    private partial void LogCodeSent(CodePurpose purpose, Guid subjectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not email a {Purpose} mail for {SubjectId}: {ErrorType} {SmtpCodes}")]
    private partial void LogEmailFailed(CodePurpose purpose, Guid subjectId, string errorType, string smtpCodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back a reserved code send ({ErrorType}); it expires with its window")]
    private partial void LogReleaseFailed(string errorType);
}
