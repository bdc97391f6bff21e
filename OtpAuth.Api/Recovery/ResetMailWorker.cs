using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Email;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Recovery;

/// <summary>
/// Sends the reset codes of <see cref="ResetMailBacklog"/>: to a verified account a code in its language; to anyone else
/// nothing (their request spent the same reservation on the request path). A mail that fails gives its send back,
/// as every code mail does (<see cref="CodeDelivery"/>). Every replica runs one; each job goes to exactly one.
/// </summary>
internal sealed partial class ResetMailWorker(ResetMailBacklog queue, IServiceScopeFactory scopes, ILogger<ResetMailWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            ResetMailJob? job = null;
            try
            {
                job = await queue.TakeAsync();
                if (job is null)
                {
                    await Task.Delay(Idle, stoppingToken);
                    continue;
                }

                await SendAsync(job, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Redis or PostgreSQL down: keep the job (if one was taken) and try again shortly.
                LogFailed(exception.GetType().Name);
                if (job is not null)
                {
                    await TryReturnAsync(job);
                }

                await Task.Delay(AfterFailure, stoppingToken);
            }
        }
    }

    private async Task SendAsync(ResetMailJob job, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
        var (address, token) = (job.Email, cancellationToken); // locals for EF's query precompiler (docs/native-aot.md)
        var account = await db.Users.AsNoTracking()
            .Where(u => u.Email == address && u.VerifiedAt != null)
            .Select(u => new { u.Email, u.Language })
            .FirstOrDefaultAsync(token);
        if (account is null)
        {
            return;
        }

        var delivery = scope.ServiceProvider.GetRequiredService<CodeDelivery>();
        var mail = scope.ServiceProvider.GetRequiredService<IOtpEmailSender>();
        await delivery.SendCodeAsync(PasswordRecoveryFlow.SubjectOf(scope.ServiceProvider.GetRequiredService<OtpHasher>(), account.Email), job.Client,
            (code, lifetime) => mail.SendAsync(new OutgoingMail(MailKind.PasswordResetCode, account.Email, MailLanguage.Normalize(account.Language), code, lifetime), CancellationToken.None));
    }

    private async Task TryReturnAsync(ResetMailJob job)
    {
        try
        {
            await queue.ReturnAsync(job);
        }
        catch (StackExchange.Redis.RedisException)
        {
            // Redis itself is down: the job is lost with it, as its code would have been.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a queued reset mail ({ErrorType}); trying again shortly")]
    private partial void LogFailed(string errorType);
}
