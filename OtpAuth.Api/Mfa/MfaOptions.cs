using System.ComponentModel.DataAnnotations;

namespace OtpAuth.Api.Mfa;

/// <summary>The <c>Mfa</c> section: TOTP, recovery codes and the second step of a sign-in.</summary>
public sealed class MfaOptions
{
    public const string SectionName = "Mfa";

    /// <summary>The issuer an authenticator app shows beside the account (the <c>otpauth://</c> URI's issuer).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Mfa:TotpIssuer is required.")]
    public string TotpIssuer { get; set; } = "OtpAuth";

    /// <summary>
    /// Wrong second-factor codes (TOTP or recovery) an account may take in a row before it is refused for
    /// <see cref="FailureMemoryHours"/>; NIST SP 800-63B-4 §3.2.2 allows at most 100.
    /// </summary>
    [Range(1, 100, ErrorMessage = "Mfa:MaxConsecutiveFailures must be between 1 and 100.")]
    public int MaxConsecutiveFailures { get; set; } = 100;

    /// <summary>How long the count of wrong codes is kept after the last one (a right code clears it).</summary>
    [Range(1, 720, ErrorMessage = "Mfa:FailureMemoryHours must be between 1 and 720.")]
    public int FailureMemoryHours { get; set; } = 24;

    /// <summary>How long the <c>mfa_token</c> of a first factor waits for the second.</summary>
    [Range(1, 600, ErrorMessage = "Mfa:ChallengeSeconds must be between 1 and 600.")]
    public int ChallengeSeconds { get; set; } = 300;

    /// <summary>How long a TOTP secret from setup waits for its first code.</summary>
    [Range(60, 3600, ErrorMessage = "Mfa:SetupSeconds must be between 60 and 3600.")]
    public int SetupSeconds { get; set; } = 600;
}
