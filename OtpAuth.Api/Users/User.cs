namespace OtpAuth.Api.Users;

/// <summary>An account. The email is stored normalized (see <see cref="Auth.EmailAddress"/>), so it is also the lookup key.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string Email { get; init; }

    /// <summary>A bcrypt hash in BCrypt.Net-Next's enhanced (SHA-384 pre-hashed) form; see <see cref="Passwords.PasswordHasher"/>.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>The language of the mails the account gets, from <c>Accept-Language</c> at registration.</summary>
    public string Language { get; init; } = OtpAuth.Api.Email.MailLanguage.Default;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }

    public bool IsVerified => VerifiedAt is not null;
}
