namespace OtpAuth.Api.Security;

/// <summary>
/// Stable, non-reversible ids of addresses and client networks, so that Redis key names and logs carry no email
/// addresses or IPs. Keyed: without the key, a leaked id cannot be matched to an address by hashing guesses.
/// </summary>
public interface IOpaqueIds
{
    /// <summary>The id of a normalized email address.</summary>
    string AddressKey(string normalizedEmail);

    /// <summary>The id of <paramref name="value"/>, domain-separated by <paramref name="purpose"/>.</summary>
    string OpaqueId(string purpose, string value);
}
