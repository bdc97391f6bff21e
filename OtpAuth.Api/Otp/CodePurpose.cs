namespace OtpAuth.Api.Otp;

/// <summary>What a one-time code proves. Codes, their cooldowns and their budgets are kept apart per purpose.</summary>
public enum CodePurpose
{
    /// <summary>Owning the mailbox of a pending registration; the subject is the registration's id.</summary>
    Registration,

    /// <summary>Owning the mailbox of an account whose password is being reset; the subject is the account's id.</summary>
    PasswordReset,

    /// <summary>Owning the mailbox of an account that signs in by code; the subject is derived from the address, the flow is the sign-in's id.</summary>
    SignIn,

    /// <summary>Owning the mailbox an account is moving to; the subject is the change's id.</summary>
    EmailChange,

    /// <summary>Owning the mailbox an account moved away from, to move it back; the subject is derived from the old address.</summary>
    EmailRevert,

    /// <summary>Owning the mailbox of an account that is being deleted without its password; the subject is the account's id.</summary>
    AccountDeletion,
}

public static class CodePurposeNames
{
    /// <summary>The purpose's name in Redis keys and in the code's HMAC.</summary>
    public static string KeyName(this CodePurpose purpose) => purpose switch
    {
        CodePurpose.Registration => "registration",
        CodePurpose.PasswordReset => "reset",
        CodePurpose.SignIn => "signin",
        CodePurpose.EmailChange => "email-change",
        CodePurpose.EmailRevert => "email-revert",
        CodePurpose.AccountDeletion => "deletion",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };
}
