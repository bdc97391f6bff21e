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

    /// <summary>The code that signs a verified account in instead of its password.</summary>
    SignInCode,

    /// <summary>To the address an account is moving to: the code that proves it.</summary>
    EmailChangeCode,

    /// <summary>To the address an account moved away from: it was changed (to <see cref="OutgoingMail.Detail"/>), and the code that takes it back.</summary>
    EmailChanged,

    /// <summary>To the owner of a verified account whose address another account tried to move to (conceal mode).</summary>
    AddressInUse,

    /// <summary>The code that deletes an account without its password.</summary>
    AccountDeletionCode,

    /// <summary>To the address of an account that was just deleted.</summary>
    AccountDeleted,

    /// <summary>To the owner: TOTP was turned on.</summary>
    SecondFactorAdded,

    /// <summary>To the owner: TOTP was turned off.</summary>
    SecondFactorRemoved,

    /// <summary>To the owner: a passkey (named in <see cref="OutgoingMail.Detail"/>) was added.</summary>
    PasskeyAdded,

    /// <summary>To the owner: a passkey (named in <see cref="OutgoingMail.Detail"/>) was removed.</summary>
    PasskeyRemoved,
}

/// <summary>
/// One mail to send: what it is, to whom, in which language, the code (and its lifetime) when it carries one, and its
/// detail: the address the account moved to (<see cref="MailKind.EmailChanged"/>), a passkey's name.
/// </summary>
public sealed record OutgoingMail(MailKind Kind, string Recipient, string Language, string? Code = null, TimeSpan Lifetime = default, string? Detail = null)
{
    public static bool CarriesCode(MailKind kind) =>
        kind is MailKind.RegistrationCode or MailKind.PasswordResetCode or MailKind.SignInCode or MailKind.EmailChangeCode
            or MailKind.EmailChanged or MailKind.AccountDeletionCode;
}
