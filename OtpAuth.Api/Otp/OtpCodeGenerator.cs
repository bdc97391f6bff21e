using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Otp;

/// <summary>Draws codes of <c>Otp:Length</c> decimal digits, each uniform over 0–9 from the OS CSPRNG.</summary>
public sealed class OtpCodeGenerator(IOptions<OtpOptions> options)
{
    public string Generate() => Generate(options.Value.Length);

    public static string Generate(int length) =>
        // GetInt32 rejects and redraws instead of taking a modulo, so no digit is favoured.
        string.Create(length, 0, static (digits, _) =>
        {
            for (var i = 0; i < digits.Length; i++)
            {
                digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
            }
        });

    /// <summary>True when <paramref name="code"/> is exactly <paramref name="length"/> ASCII digits (not other Unicode digits).</summary>
    public static bool IsWellFormed(string? code, int length) =>
        code is not null && code.Length == length && code.All(char.IsAsciiDigit);
}
