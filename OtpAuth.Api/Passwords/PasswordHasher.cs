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
/// "$2a$/$2b$" strings marked enhanced only by how they are verified. The bcrypt itself is the system's libxcrypt where it
/// is present (<see cref="NativeBcrypt"/>), else BCrypt.Net-Next's; their hashes are interchangeable both ways.
/// </summary>
public sealed class PasswordHasher
{
    private const HashType PreHash = HashType.SHA384;

    private readonly int _workFactor;
    private readonly string _dummyHash;

    public PasswordHasher(IOptions<PasswordOptions> options)
    {
        _workFactor = options.Value.BcryptWorkFactor;
        // Verified against when the email is unknown, so that answer costs the same bcrypt work as a wrong password.
        // Built here, not on first use, so no login pays for it (PasswordWarmUp constructs this at start).
        _dummyHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    public int WorkFactor => _workFactor;

    /// <summary>What an unknown address's password is checked against; of the configured work factor, like every stored hash.</summary>
    internal string DummyHash => _dummyHash;

    /// <summary>"libxcrypt" or "BCrypt.Net-Next": which implementation computes the hashes in this process.</summary>
    public static string Implementation => NativeBcrypt.IsAvailable ? "libxcrypt" : "BCrypt.Net-Next";

    /// <summary>Hashes an NFC-normalized password (see <see cref="PasswordRules.Normalize"/>).</summary>
    public string Hash(string normalizedPassword) =>
        NativeBcrypt.IsAvailable
            ? NativeBcrypt.Hash(EnhancedKey(normalizedPassword), _workFactor)
            : BCryptNet.EnhancedHashPassword(normalizedPassword, _workFactor, PreHash);

    public bool Verify(string normalizedPassword, string hash) =>
        NativeBcrypt.IsAvailable
            ? NativeBcrypt.Verify(EnhancedKey(normalizedPassword), hash)
            : BCryptNet.EnhancedVerify(normalizedPassword, hash, PreHash);

    /// <summary>What enhanced mode gives bcrypt: the base64 of SHA-384 over the UTF-8 password, exactly as BCrypt.Net-Next does.</summary>
    internal static string EnhancedKey(string normalizedPassword) =>
        Convert.ToBase64String(SHA384.HashData(System.Text.Encoding.UTF8.GetBytes(normalizedPassword)));

    /// <summary>Spends the time of one verification and always answers false.</summary>
    public bool VerifyAgainstDummy(string normalizedPassword)
    {
        _ = Verify(normalizedPassword, _dummyHash);
        return false;
    }

    /// <summary>
    /// Whether <paramref name="hash"/> was made with another work factor than the configured one (or cannot be read):
    /// checking it would then take another time than the dummy hash behind an unknown address, so it is replaced at the
    /// next successful login.
    /// </summary>
    public bool NeedsRehash(string hash) => WorkFactorOf(hash) != _workFactor;

    /// <summary>The cost of a "$2a$/$2b$/$2x$/$2y$NN$…" hash, or null when it is not one.</summary>
    public static int? WorkFactorOf(string hash) =>
        hash.Length > 7 && hash[0] == '$' && hash[1] == '2' && hash[3] == '$' && hash[6] == '$'
            && char.IsAsciiDigit(hash[4]) && char.IsAsciiDigit(hash[5])
            ? ((hash[4] - '0') * 10) + (hash[5] - '0')
            : null;
}
