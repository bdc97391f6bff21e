using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Registration;

/// <summary>Deletes expired pending registrations, and with them the password hashes of people who never verified.</summary>
internal sealed class RegistrationPurge(
    IServiceScopeFactory scopes, IOptions<RegistrationOptions> options, TimeProvider clock, ILogger<RegistrationPurge> logger)
    : PeriodicPurge(scopes, clock, logger)
{
    protected override string What => "expired pending registrations";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.PurgeIntervalSeconds);

    protected override Task<int> PurgeAsync(OtpAuthDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.PendingRegistrations.Where(p => p.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
}
