using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OtpAuth.Bcrypt;

namespace OtpAuth.Api.Passwords;

/// <summary>
/// bcrypt in BCrypt.Net-Next's enhanced mode. bcrypt itself reads only the first 72 bytes of its input, so
/// 72 × "a" + "X" and 72 × "a" + "Y" would be the same password. Enhanced mode first hashes the whole UTF-8 password
/// with SHA-384 and feeds bcrypt the base64 of that digest (64 ASCII characters, no NUL bytes), so every character
/// counts and nothing is truncated. We chose it over an HMAC pre-hash with a server-side pepper because a pepper would
/// tie every stored password to a secret that could then never be rotated or lost; the stored hashes are ordinary
/// "$2a$/$2b$" strings marked enhanced only by how they are verified. The bcrypt itself is OtpAuth.Bcrypt's, alone here
/// and several at once in <see cref="HashingGate"/>; its hashes and BCrypt.Net-Next's are the same, verifiable both ways.
/// The methods here compute on the calling thread; requests go through <see cref="HashingGate"/>, which bounds them.
/// </summary>
public sealed class PasswordHasher
{
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

    /// <summary>Hashes an NFC-normalized password (see <see cref="PasswordRules.Normalize"/>) on the calling thread.</summary>
    public string Hash(string normalizedPassword) => InterleavedBcrypt.Hash(EnhancedKey(normalizedPassword), NewSetting());

    /// <summary>Checks an NFC-normalized password against a stored hash on the calling thread.</summary>
    public bool Verify(string normalizedPassword, string hash) =>
        BcryptSetting.TryParse(hash, out var setting) && Matches(InterleavedBcrypt.Hash(EnhancedKey(normalizedPassword), setting), hash);

    /// <summary>A fresh 128-bit salt at the configured work factor.</summary>
    internal BcryptSetting NewSetting() => BcryptSetting.Create(_workFactor, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes));

    /// <summary>Whether a hash computed under a stored hash's setting is that hash, compared in constant time.</summary>
    internal static bool Matches(string computed, string stored) =>
        computed.Length == stored.Length
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(computed), System.Text.Encoding.ASCII.GetBytes(stored));

    /// <summary>What enhanced mode gives bcrypt: the base64 of SHA-384 over the UTF-8 password, exactly as BCrypt.Net-Next does.</summary>
    internal static string EnhancedKey(string normalizedPassword) =>
        Convert.ToBase64String(SHA384.HashData(System.Text.Encoding.UTF8.GetBytes(normalizedPassword)));

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
