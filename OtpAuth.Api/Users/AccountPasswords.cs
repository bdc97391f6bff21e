using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OtpAuth.Api.Users;

/// <summary>
/// Password writes whose condition the database decides at the moment of the write, not a copy loaded earlier. A
/// registration spends ~250 ms in bcrypt between reading the account and writing it; if the owner verifies meanwhile, a
/// write based on the stale copy would give the now verified account the registrant's password (an account takeover).
/// </summary>
internal static class AccountPasswords
{
    /// <param name="loaded">The account as read before hashing, or null when there was none.</param>
    /// <returns>The unverified account now holding <paramref name="passwordHash"/>, or null when the address is verified.</returns>
    public static async Task<User?> SaveUnverifiedAsync(
        OtpAuthDbContext db, User? loaded, string email, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (loaded is null)
        {
            var created = new User { Email = email, PasswordHash = passwordHash, CreatedAt = now };
            db.Users.Add(created);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return created;
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent registration of the same address won the insert: carry on with that account.
                db.ChangeTracker.Clear();
                loaded = await db.Users.SingleAsync(u => u.Email == email, cancellationToken);
            }
        }

        var id = loaded.Id;
        var replaced = await db.Users
            .Where(u => u.Id == id && u.VerifiedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, passwordHash), cancellationToken);
        if (replaced == 0)
        {
            return null;
        }

        // Keep the tracked copy in step with the row, without a pending change that a later SaveChanges would write.
        MatchStored(db, loaded, passwordHash);
        return loaded;
    }

    /// <summary>
    /// Replaces a password hash with one of the configured work factor, unless the hash changed meanwhile (a
    /// re-registration): a login must never write back a password that is no longer the account's.
    /// </summary>
    /// <returns>Whether the row was updated.</returns>
    public static async Task<bool> RehashAsync(OtpAuthDbContext db, User user, string previousHash, string newHash, CancellationToken cancellationToken)
    {
        var id = user.Id;
        var updated = await db.Users
            .Where(u => u.Id == id && u.PasswordHash == previousHash)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, newHash), cancellationToken);
        if (updated == 1)
        {
            MatchStored(db, user, newHash);
        }

        return updated == 1;
    }

    /// <summary>
    /// Marks the account verified if it is still unverified and still has the password it had when its code was
    /// checked; false when a re-registration replaced the password meanwhile (that registration's own code counts).
    /// </summary>
    public static async Task<bool> MarkVerifiedAsync(
        OtpAuthDbContext db, User user, string passwordWhenChecked, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = user.Id;
        var updated = await db.Users
            .Where(u => u.Id == id && u.VerifiedAt == null && u.PasswordHash == passwordWhenChecked)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.VerifiedAt, now), cancellationToken);
        if (updated == 1)
        {
            var entry = db.Entry(user);
            if (entry.State == EntityState.Detached)
            {
                user.VerifiedAt = now;
            }
            else
            {
                var property = entry.Property(u => u.VerifiedAt);
                property.CurrentValue = now;
                property.OriginalValue = now;
                property.IsModified = false; // as stored, not a change for a later SaveChanges
            }
        }

        return updated == 1;
    }

    /// <summary>Sets the copy's hash to what the row now holds, as stored rather than as a change to save.</summary>
    private static void MatchStored(OtpAuthDbContext db, User user, string passwordHash)
    {
        var entry = db.Entry(user);
        if (entry.State == EntityState.Detached)
        {
            user.PasswordHash = passwordHash;
            return;
        }

        var property = entry.Property(u => u.PasswordHash);
        property.CurrentValue = passwordHash;
        property.OriginalValue = passwordHash;
        property.IsModified = false;
    }
}
