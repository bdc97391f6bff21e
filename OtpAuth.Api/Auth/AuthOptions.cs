namespace OtpAuth.Api.Auth;

/// <summary>The <c>Auth</c> section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Off (the contract of docs/api.md): registering the address of a verified account answers 409. On: it answers
    /// 202 like any registration, after the same work (a bcrypt hash and a mail), and the mail tells the owner that
    /// someone tried to register their address, so the answer no longer tells whether an address has an account.
    /// </summary>
    public bool ConcealExistingAccounts { get; set; }

    /// <summary>Whether a verified account may sign in with a code mailed to it instead of its password.</summary>
    public bool EmailCodeSignIn { get; set; } = true;

    /// <summary>
    /// How long after a sign-in a session may change the account's address or delete the account (fractions allowed);
    /// later it must sign in again first (<see cref="RecentAuthentication"/>).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0.01, 1440, ErrorMessage = "Auth:RecentAuthenticationMinutes must be between 0.01 and 1440.")]
    public double RecentAuthenticationMinutes { get; set; } = 10;

    /// <summary>How long the old address of a changed account can take it back (and stays reserved for it).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 30, ErrorMessage = "Auth:EmailRevertDays must be between 1 and 30.")]
    public int EmailRevertDays { get; set; } = 7;
}
