using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Email;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Otp;

/// <summary>
/// Sends the codes of <see cref="CodeMailBacklog"/>: to a verified account a code in its language; to anyone else
/// nothing (their request spent the same reservation on the request path). A mail that fails or finds the mail budget
/// spent keeps its reservation, unlike other code mails (<see cref="CodeDelivery"/>): giving it back would happen for
/// accounts only, and the next request's answer would tell them from other addresses. Every replica runs one; each job
/// goes to exactly one.
/// </summary>
/// <remarks>
/// With the list empty it waits for the backlog's "enqueued" message, or <see cref="Poll"/> at most: a job returned
/// after a failure, or told while Redis was away, is not left waiting. The poll is slow because every RPOP is a trace
/// of its own in the dashboard.
/// </remarks>
internal sealed partial class CodeMailWorker(CodeMailBacklog queue, IServiceScopeFactory scopes, ILogger<CodeMailWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(2);

    /// <summary>At most one wake-up is kept: however many jobs were told, the worker drains the whole list when it wakes.</summary>
    private readonly Channel<bool> _enqueued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await queue.SubscribeAsync(() => _enqueued.Writer.TryWrite(true));
        }
        catch (StackExchange.Redis.RedisException exception)
        {
            LogNotSubscribedYet(exception.GetType().Name);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            CodeMailJob? job = null;
            try
            {
                job = await queue.TakeAsync();
                if (job is null)
                {
                    await WaitForWorkAsync(stoppingToken);
                    continue;
                }

                await SendAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (job is not null)
            {
                // Stopping before its mail went out (only the account lookup takes the token): another replica, or this
                // one after its restart, sends it.
                await TryReturnAsync(job);
                throw;
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

    /// <summary>Until a job is told (or was told since the last wait) or <see cref="Poll"/> has passed.</summary>
    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        poll.CancelAfter(Poll);
        try
        {
            await _enqueued.Reader.ReadAsync(poll.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Nothing told within the poll interval: look at the list anyway.
        }
    }

    private async Task SendAsync(CodeMailJob job, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
        var account = await db.Users.AsNoTracking()
            .Where(u => u.Email == job.Subject.Email && u.VerifiedAt != null)
            .Select(u => new { u.Email, u.Language })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return;
        }

        var delivery = scope.ServiceProvider.GetRequiredService<CodeDelivery>();
        var mail = scope.ServiceProvider.GetRequiredService<IOtpEmailSender>();
        await delivery.SendCodeAsync(job.Subject, job.Client,
            (code, lifetime) => mail.SendAsync(new OutgoingMail(job.Kind, account.Email, MailLanguage.Normalize(account.Language), code, lifetime), CancellationToken.None),
            keepReservation: true);
    }

    private async Task TryReturnAsync(CodeMailJob job)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a queued code mail ({ErrorType}); trying again shortly")]
    private partial void LogFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queued code mails will be noticed by polling until Redis is reachable ({ErrorType}); the subscription is made on connect")]
    private partial void LogNotSubscribedYet(string errorType);
}
