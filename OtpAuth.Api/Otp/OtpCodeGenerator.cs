using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Otp;

/// <summary>
/// Draws codes from the OS CSPRNG: <c>Otp:Length</c> decimal digits, or for an address whose codes are being guessed at
/// (<see cref="OtpOptions.MaxFailuresBeforeLongCodes"/>) <c>Otp:LongCodeLength</c> characters of
/// <see cref="LongAlphabet"/>, 5 bits each. Every character is uniform over its alphabet.
/// </summary>
public sealed class OtpCodeGenerator(IOptions<OtpOptions> options)
{
    /// <summary>Upper-case letters and digits without 0, 1, I and O, which read alike; 32 of them.</summary>
    public const string LongAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public string Generate() => Generate(options.Value.Length);

    public string GenerateLong() => Draw(options.Value.LongCodeLength, LongAlphabet);

    public static string Generate(int length) => Draw(length, "0123456789");

    /// <summary>True when <paramref name="code"/> is exactly <paramref name="length"/> ASCII digits (not other Unicode digits).</summary>
    public static bool IsWellFormed(string? code, int length) =>
        code is not null && code.Length == length && code.All(char.IsAsciiDigit);

    /// <summary>
    /// The code as it is hashed: a short code's digits, or a long code's characters in upper case without the spaces and
    /// hyphens a person may type or copy with it. Null when it is neither.
    /// </summary>
    public string? Canonical(string? code)
    {
        if (IsWellFormed(code, options.Value.Length))
        {
            return code;
        }

        var characters = code?.Where(c => c is not (' ' or '-')).Select(char.ToUpperInvariant).ToArray();
        return characters is not null && characters.Length == options.Value.LongCodeLength && characters.All(c => LongAlphabet.Contains(c))
            ? new string(characters)
            : null;
    }

    /// <summary>How a code is shown in a mail: a long one in two halves, so it is read and typed in pieces.</summary>
    public static string Display(string code) =>
        code.All(char.IsAsciiDigit) ? code : $"{code[..(code.Length / 2)]}-{code[(code.Length / 2)..]}";

    /// <summary>What to tell a person whose code does not have a code's form.</summary>
    public string FormatError() =>
        $"Code must be the {options.Value.Length} digits (or the {options.Value.LongCodeLength} letters and digits) of the email.";

    // GetInt32 rejects and redraws instead of taking a modulo, so no character is favoured.
    private static string Draw(int length, string alphabet) =>
        string.Create(length, alphabet, static (characters, alphabet) =>
        {
            for (var i = 0; i < characters.Length; i++)
            {
                characters[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
}
