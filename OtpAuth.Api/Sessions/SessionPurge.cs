using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// Deletes sessions a day after they expired or were revoked, and their refresh tokens with them (the day keeps a
/// replayed token of a just-revoked session recognisable as reuse in the logs). Every replica runs it; hourly.
/// </summary>
internal sealed partial class SessionPurge(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SessionPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
                var cutoff = clock.GetUtcNow().AddDays(-1);
                var purged = await db.Sessions.Where(s => s.ExpiresAt < cutoff || s.RevokedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                if (purged > 0)
                {
                    LogPurged(purged);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogPurgeFailed(exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} ended sessions")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge ended sessions ({ErrorType}); trying again next round")]
    private partial void LogPurgeFailed(string errorType);
}
