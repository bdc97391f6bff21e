using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using OtpNet;

namespace OtpAuth.Api.Mfa;

/// <summary>
/// RFC 6238 as authenticator apps implement it: SHA-1, 30-second steps, 6 digits, one step of drift either way. Secrets
/// are 160 random bits, kept encrypted with the Data Protection key ring (which is itself encrypted in PostgreSQL).
/// </summary>
public sealed class TotpCodes(IDataProtectionProvider protection)
{
    public const int Digits = 6;
    private const int StepSeconds = 30;

    private readonly IDataProtector _protector = protection.CreateProtector("OtpAuth.Mfa.TotpSecret.v1");

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(20);

    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    public byte[] Protect(byte[] secret) => _protector.Protect(secret);

    public byte[] Unprotect(byte[] protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The step the code belongs to, within one step of now, or null.</summary>
    public static long? Match(byte[] secret, string code, DateTimeOffset now)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1)) ? step : null;
    }

    /// <summary>The code of <paramref name="at"/> (tests and the setup screen's check only).</summary>
    public static string Compute(byte[] secret, DateTimeOffset at) => new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits).ComputeTotp(at.UtcDateTime);
}
