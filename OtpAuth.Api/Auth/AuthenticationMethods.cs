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

    /// <summary>The space-separated form stored in <c>sessions.auth_methods</c>.</summary>
    public static string Join(IEnumerable<string> methods) => string.Join(' ', methods);

    public static string[] Split(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
