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

    /// <summary>The TOTP secret once confirmed, encrypted with the Data Protection key ring (<see cref="Mfa.TotpSecrets"/>).</summary>
    public byte[]? TotpSecret { get; set; }

    public DateTimeOffset? TotpEnabledAt { get; set; }

    /// <summary>The last 30-second step whose TOTP code was accepted: a code of that step or an earlier one is a replay.</summary>
    public long TotpLastStep { get; set; }

    /// <summary>The WebAuthn user handle of the account's passkeys: random, so it tells an authenticator nothing about the account.</summary>
    public byte[]? WebAuthnHandle { get; set; }

    /// <summary>Whether a first factor (a password, an emailed code) must be followed by a second one.</summary>
    public bool RequiresSecondFactor => TotpEnabledAt is not null;
}
