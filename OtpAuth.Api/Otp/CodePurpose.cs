namespace OtpAuth.Api.Otp;

/// <summary>What a one-time code proves. Codes, their cooldowns and their budgets are kept apart per purpose.</summary>
public enum CodePurpose
{
    /// <summary>Owning the mailbox of a pending registration; the subject is the registration's id.</summary>
    Registration,

    /// <summary>Owning the mailbox of an account whose password is being reset; the subject is the account's id.</summary>
    PasswordReset,
}

public static class CodePurposeNames
{
    /// <summary>The purpose's name in Redis keys and in the code's HMAC.</summary>
    public static string KeyName(this CodePurpose purpose) => purpose switch
    {
        CodePurpose.Registration => "registration",
        CodePurpose.PasswordReset => "reset",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };
}
