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
}
