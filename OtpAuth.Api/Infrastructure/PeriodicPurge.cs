using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// Deletes rows that have outlived their use, at start and then every <see cref="Interval"/>. Every replica runs it; the
/// deletes do not conflict. A failure (PostgreSQL down) waits for the next round.
/// </summary>
internal abstract partial class PeriodicPurge(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>What is purged, in words for the log ("expired pending registrations").</summary>
    protected abstract string What { get; }

    private static readonly TimeSpan PurgeCommandTimeout = TimeSpan.FromMinutes(1);

    protected abstract TimeSpan Interval { get; }

    /// <summary>Deletes what is due at <paramref name="now"/>; returns how many rows went.</summary>
    protected abstract Task<int> PurgeAsync(OtpAuthDbContext db, DateTimeOffset now, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
                // A large backlog of rows may take longer to delete than a request's statement may run; no one waits on it.
                db.Database.SetCommandTimeout(PurgeCommandTimeout);
                var purged = await PurgeAsync(db, clock.GetUtcNow(), stoppingToken);
                if (purged > 0)
                {
                    LogPurged(purged, What);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogPurgeFailed(What, exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} {What}")]
    private partial void LogPurged(int count, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge {What} ({ErrorType}); trying again next round")]
    private partial void LogPurgeFailed(string what, string errorType);
}
