namespace OtpAuth.Api.Email;

public enum MailKind
{
    /// <summary>The code that verifies a pending registration.</summary>
    RegistrationCode,

    /// <summary>The code that lets a verified account choose a new password.</summary>
    PasswordResetCode,

    /// <summary>To the owner of a verified account that someone tried to register (conceal mode).</summary>
    AccountExists,

    /// <summary>To the owner, after their password was reset or changed.</summary>
    PasswordChanged,
}

/// <summary>One mail to send: what it is, to whom, in which language, and the code (and its lifetime) when it carries one.</summary>
public sealed record OutgoingMail(MailKind Kind, string Recipient, string Language, string? Code = null, TimeSpan Lifetime = default);
