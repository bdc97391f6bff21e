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

    protected override Task<int> PurgeAsync(OtpAuthDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (context, cutoff, token) = (db, now.AddDays(-1), cancellationToken); // locals for EF's query precompiler (docs/native-aot.md)
        return context.Sessions.Where(s => s.ExpiresAt < cutoff || s.RevokedAt < cutoff).ExecuteDeleteAsync(token);
    }
}
