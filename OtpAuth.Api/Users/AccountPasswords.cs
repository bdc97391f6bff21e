using Microsoft.EntityFrameworkCore;

namespace OtpAuth.Api.Users;

/// <summary>Password writes whose condition the database decides at the moment of the write, not a copy loaded earlier.</summary>
internal static class AccountPasswords
{
    /// <summary>
    /// Replaces a password hash with one of the configured work factor, unless the hash changed meanwhile (a password
    /// change or reset): a login must never write back a password that is no longer the account's.
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
            // Keep the tracked copy in step with the row, without a pending change that a later SaveChanges would write.
            var property = db.Entry(user).Property(u => u.PasswordHash);
            property.CurrentValue = newHash;
            property.OriginalValue = newHash;
            property.IsModified = false;
        }

        return updated == 1;
    }
}
