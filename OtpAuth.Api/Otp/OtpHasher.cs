using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Otp;

/// <summary>
/// The only form in which a code is ever stored: HMAC-SHA256 under <c>Otp:HashKey</c> over the purpose, the registration
/// (or account) the code was issued for, the normalized email and the code. A code is worth nothing for another purpose,
/// another registration or another address, and without the key a leaked Redis cannot be brute-forced back to codes (a
/// 6-digit space is tiny for an unkeyed hash).
/// </summary>
public sealed class OtpHasher : IOpaqueIds
{
    private readonly byte[] _key;

    public OtpHasher(IOptions<OtpOptions> options) : this(options.Value.HashKey)
    {
    }

    public OtpHasher(string hashKey) => _key = Encoding.UTF8.GetBytes(hashKey);

    /// <summary>Lower-case hex of HMAC-SHA256 over "otp", purpose, subject, email and code, newline-separated (unambiguous: none holds a newline).</summary>
    public string HashCode(CodePurpose purpose, Guid subject, string normalizedEmail, string code) =>
        Hash($"{subject:N}", purpose, normalizedEmail, code);

    /// <summary>As above; a subject bound to a flow (<see cref="CodeSubject.Flow"/>) has the flow's id beside the subject's.</summary>
    public string HashCode(CodeSubject subject, string code) => subject.Flow == Guid.Empty
        ? HashCode(subject.Purpose, subject.Id, subject.Email, code)
        : Hash($"{subject.Id:N}:{subject.Flow:N}", subject.Purpose, subject.Email, code);

    private string Hash(string subject, CodePurpose purpose, string normalizedEmail, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"otp\n{purpose.KeyName()}\n{subject}\n{normalizedEmail}\n{code}")));

    /// <summary>An id derived from an address for <paramref name="purpose"/>: a subject with one live code per address.</summary>
    public Guid AddressSubject(string purpose, string normalizedEmail) => new(Convert.FromHexString(OpaqueId(purpose, normalizedEmail)));

    /// <summary>
    /// A stable, non-reversible id for an address, used in Redis key names so that keys carry no email addresses.
    /// Domain-separated from <see cref="HashCode"/> so a key name never equals a stored code hash.
    /// </summary>
    public string AddressKey(string normalizedEmail) => OpaqueId("address", normalizedEmail);

    /// <summary>
    /// A stable, non-reversible id of <paramref name="value"/> (a client IP, an address) for key names and logs,
    /// domain-separated by <paramref name="purpose"/>: 128 bits of HMAC-SHA256, as lower-case hex.
    /// </summary>
    public string OpaqueId(string purpose, string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{purpose}\n{value}")).AsSpan(0, 16));
}
