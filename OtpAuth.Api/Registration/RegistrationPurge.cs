using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Registration;

/// <summary>
/// Deletes expired pending registrations, and with them the password hashes of people who never verified. Every replica
/// runs it; the deletes do not conflict. A failure (PostgreSQL down) waits for the next round.
/// </summary>
internal sealed partial class RegistrationPurge(
    IServiceScopeFactory scopes, IOptions<RegistrationOptions> options, TimeProvider clock, ILogger<RegistrationPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PurgeIntervalSeconds), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
                var now = clock.GetUtcNow();
                var purged = await db.PendingRegistrations.Where(p => p.ExpiresAt <= now).ExecuteDeleteAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired pending registrations")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge expired pending registrations ({ErrorType}); trying again next round")]
    private partial void LogPurgeFailed(string errorType);
}
