using System.Security.Cryptography;
using OtpAuth.Api.Otp;

namespace OtpAuth.Api.Mfa;

/// <summary>
/// Ten codes of 80 random bits each (16 characters of a 32-letter alphabet without look-alikes, in groups of four),
/// shown once and stored as keyed hashes: high-entropy codes need no slow hash, only one a leaked table cannot be
/// checked against.
/// </summary>
public sealed class RecoveryCodes(OtpHasher hasher)
{
    public const int Count = 10;
    /// <summary>32 symbols (5 bits each): no i, l, o or 1, which read alike.</summary>
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz023456789";

    public static List<string> Generate() =>
        Enumerable.Range(0, Count).Select(_ =>
        {
            var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 16);
            return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
        }).ToList();

    /// <summary>Lower case, without the hyphens and spaces a person may type or leave out; null when it cannot be one.</summary>
    public static string? Canonical(string? typed)
    {
        var code = new string((typed ?? "").Where(c => c is not ('-' or ' ')).Select(char.ToLowerInvariant).ToArray());
        return code.Length == 16 && code.All(Alphabet.Contains) ? code : null;
    }

    public string Hash(Guid userId, string canonical) => hasher.OpaqueId("recovery-code", $"{userId:N}:{canonical}");
}
