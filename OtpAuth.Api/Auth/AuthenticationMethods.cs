namespace OtpAuth.Api.Auth;

/// <summary>
/// How a session began, as RFC 8176 names it in the access token's <c>amr</c> claim, so a relying service can tell a
/// password from an emailed code (docs/security.md, "How a session began").
/// </summary>
public static class AuthenticationMethods
{
    /// <summary>A password.</summary>
    public const string Password = "pwd";

    /// <summary>A one-time code mailed to the account's address. NIST SP 800-63B does not count it as an authenticator.</summary>
    public const string EmailCode = "otp";

    /// <summary>A TOTP code or a recovery code as the second factor.</summary>
    public const string OneTimeCode = "otp";

    /// <summary>More than one factor: a second factor after the first, or a passkey (possession and user verification).</summary>
    public const string MultiFactor = "mfa";

    /// <summary>A passkey bound to one device (not backed up).</summary>
    public const string HardwareKey = "hwk";

    /// <summary>A synced passkey (backed up to the person's account with a platform).</summary>
    public const string SoftwareKey = "swk";

    /// <summary>The authenticator verified the person (PIN, biometric): every passkey here requires it.</summary>
    public const string UserVerified = "user";

    /// <summary>The space-separated form stored in <c>sessions.auth_methods</c>.</summary>
    public static string Join(IEnumerable<string> methods) => string.Join(' ', methods.Distinct());

    public static string[] Split(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
