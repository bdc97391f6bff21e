using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace OtpAuth.Api.Passwords;

/// <summary>
/// bcrypt through BCrypt.Net-Next's enhanced mode. bcrypt itself reads only the first 72 bytes of its input, so
/// 72 × "a" + "X" and 72 × "a" + "Y" would be the same password. Enhanced mode first hashes the whole UTF-8 password
/// with SHA-384 and feeds bcrypt the base64 of that digest (64 ASCII characters, no NUL bytes), so every character
/// counts and nothing is truncated. We chose it over an HMAC pre-hash with a server-side pepper because a pepper would
/// tie every stored password to a secret that could then never be rotated or lost; the stored hashes are ordinary
/// "$2b$" strings marked enhanced only by how they are verified.
/// </summary>
public sealed class PasswordHasher
{
    private const HashType PreHash = HashType.SHA384;

    private readonly int _workFactor;
    private readonly Lazy<string> _dummyHash;

    public PasswordHasher(IOptions<PasswordOptions> options)
    {
        _workFactor = options.Value.BcryptWorkFactor;
        // Verified against when the email is unknown, so that answer costs the same bcrypt work as a wrong password.
        _dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }

    /// <summary>Hashes an NFC-normalized password (see <see cref="PasswordRules.Normalize"/>).</summary>
    public string Hash(string normalizedPassword) =>
        BCryptNet.EnhancedHashPassword(normalizedPassword, _workFactor, PreHash);

    public bool Verify(string normalizedPassword, string hash) =>
        BCryptNet.EnhancedVerify(normalizedPassword, hash, PreHash);

    /// <summary>Spends the time of one verification and always answers false.</summary>
    public bool VerifyAgainstDummy(string normalizedPassword)
    {
        _ = Verify(normalizedPassword, _dummyHash.Value);
        return false;
    }
}
