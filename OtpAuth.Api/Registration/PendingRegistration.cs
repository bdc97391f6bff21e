namespace OtpAuth.Api.Registration;

/// <summary>
/// A registration waiting for its code: the address, the password chosen with it and a lifetime. Nothing
/// is an account until a code mailed for this very registration is entered; then the account gets this registration's
/// password and every other pending registration of the address is void. Kept in PostgreSQL, so an Api or Redis restart
/// loses none that a person was told exists; purged once expired.
/// </summary>
public sealed class PendingRegistration
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The normalized address (see <see cref="Auth.EmailAddress"/>).</summary>
    public required string Email { get; init; }

    /// <summary>A bcrypt hash in BCrypt.Net-Next's enhanced form, as the account will have it.</summary>
    public required string PasswordHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The language its mails are written in (see <see cref="OtpAuth.Api.Email.MailLanguage"/>); the account keeps it.</summary>
    public string Language { get; init; } = OtpAuth.Api.Email.MailLanguage.Default;

    /// <summary>Wrong codes entered for this registration over its whole life, whatever the resends.</summary>
    public int FailedAttempts { get; set; }
}
