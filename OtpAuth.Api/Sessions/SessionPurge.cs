using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// Deletes sessions a day after they expired or were revoked, and their refresh tokens with them (the day keeps a
/// replayed token of a just-revoked session recognisable as reuse in the logs). Hourly.
/// </summary>
internal sealed class SessionPurge(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SessionPurge> logger)
    : PeriodicPurge(scopes, clock, logger)
{
    protected override string What => "ended sessions";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<int> PurgeAsync(OtpAuthDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now.AddDays(-1);
        // A repeated answer is only for the reuse grace (at most minutes): none is kept longer than the hour to the next pass.
        var answered = now.AddMinutes(-5);
        await db.RefreshTokens.Where(t => t.Answer != null && t.UsedAt < answered)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Answer, (byte[]?)null), cancellationToken);
        return await db.Sessions.Where(s => s.ExpiresAt < cutoff || s.RevokedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
