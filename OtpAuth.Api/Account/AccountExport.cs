using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Auth;
using OtpAuth.Api.EmailChange;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Account;

public sealed record ExportedAccount(Guid Id, string Email, string Language, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt, DateTimeOffset? LastLoginAt);

public sealed record ExportedSession(
    Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset AuthenticatedAt, string[] AuthMethods, string? UserAgent);

public sealed record ExportedRegistration(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Language);

public sealed record ExportedEmailChange(Guid Id, string NewEmail);

public sealed record ExportedEmailRevert(string Email, string ChangedTo, DateTimeOffset ChangedAt, DateTimeOffset RevertibleUntil);

public sealed record ExportedSecondFactor(DateTimeOffset? TotpEnabledAt, int RecoveryCodesLeft);

public sealed record ExportedPasskey(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, Guid Aaguid, bool Synced);

/// <summary>Everything stored about the person (GDPR Art. 15 and 20), as JSON; never a password hash, a code or a token.</summary>
public sealed record AccountExportResponse(
    DateTimeOffset ExportedAt,
    ExportedAccount Account,
    List<ExportedSession> Sessions,
    List<ExportedRegistration> PendingRegistrations,
    ExportedEmailChange? PendingEmailChange,
    List<ExportedEmailRevert> EmailChanges,
    ExportedSecondFactor SecondFactor,
    List<ExportedPasskey> Passkeys);

public sealed class AccountExport(OtpAuthDbContext db, PendingEmailChanges pending, TimeProvider clock)
{
    public async Task<AccountExportResponse?> ExportAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }

        var sessions = await db.Sessions.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        var registrations = await db.PendingRegistrations.AsNoTracking().Where(p => p.Email == user.Email).OrderBy(p => p.CreatedAt)
            .Select(p => new ExportedRegistration(p.Id, p.CreatedAt, p.ExpiresAt, p.Language)).ToListAsync(cancellationToken);
        var reverts = await db.EmailReverts.AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.CreatedAt)
            .Select(r => new ExportedEmailRevert(r.Email, r.NewEmail, r.CreatedAt, r.ExpiresAt)).ToListAsync(cancellationToken);
        var change = await pending.FindAsync(userId);
        var recoveryLeft = await db.RecoveryCodes.CountAsync(r => r.UserId == userId && r.UsedAt == null, cancellationToken);
        var passkeys = await db.Passkeys.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.CreatedAt)
            .Select(p => new ExportedPasskey(p.Id, p.Name, p.CreatedAt, p.LastUsedAt, p.AaGuid, p.BackedUp)).ToListAsync(cancellationToken);
        return new AccountExportResponse(
            clock.GetUtcNow(),
            new ExportedAccount(user.Id, user.Email, user.Language, user.CreatedAt, user.VerifiedAt, user.LastLoginAt),
            sessions.Select(s => new ExportedSession(s.Id, s.CreatedAt, s.LastUsedAt, s.ExpiresAt, s.RevokedAt, s.AuthenticatedAt,
                AuthenticationMethods.Split(s.AuthMethods), s.UserAgent)).ToList(),
            registrations,
            change is null ? null : new ExportedEmailChange(change.Id, change.NewEmail),
            reverts,
            new ExportedSecondFactor(user.TotpEnabledAt, recoveryLeft),
            passkeys);
    }
}
