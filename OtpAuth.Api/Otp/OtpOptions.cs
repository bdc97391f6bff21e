using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Otp;

/// <summary>The one-time code rules (docs/architecture.md), bound from the <c>Otp</c> section.</summary>
public sealed class OtpOptions
{
    public const string SectionName = "Otp";

    /// <summary>The shortest <see cref="HashKey"/> accepted, in UTF-8 bytes (the AppHost generates 32 random bytes as base64).</summary>
    public const int MinHashKeyBytes = 32;

    /// <summary>The HMAC-SHA256 key codes are stored under; used as its UTF-8 bytes.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Otp:HashKey is required: a random secret of at least 32 bytes (environment: Otp__HashKey).")]
    public string HashKey { get; set; } = "";

    [Range(4, 10, ErrorMessage = "Otp:Length must be between 4 and 10 digits.")]
    public int Length { get; set; } = 6;

    [Range(1, 86_400, ErrorMessage = "Otp:ExpireSeconds must be between 1 and 86400.")]
    public int ExpireSeconds { get; set; } = 120;

    /// <summary>Wrong tries per code; then the code is destroyed.</summary>
    [Range(1, 100, ErrorMessage = "Otp:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wrong codes over the whole life of one pending registration, whatever the resends; then it is void.</summary>
    [Range(1, 1_000, ErrorMessage = "Otp:MaxFailuresPerRegistration must be between 1 and 1000.")]
    public int MaxFailuresPerRegistration { get; set; } = 10;

    /// <summary>
    /// Wrong codes per address from one client network in an hour (an IPv6 /56 and /48 get <c>RateLimits:Ipv6SiteFactor</c>
    /// and <c>Ipv6AllocationFactor</c> times as many). A new code does not reset it (NIST SP 800-63B-4 §3.1.3.2).
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Otp:MaxFailuresPerHour must be between 1 and 10000.")]
    public int MaxFailuresPerHour { get; set; } = 10;

    /// <summary>Wrong codes per address from one client network in a day (scaled like <see cref="MaxFailuresPerHour"/>).</summary>
    [Range(1, 100_000, ErrorMessage = "Otp:MaxFailuresPerDay must be between 1 and 100000.")]
    public int MaxFailuresPerDay { get; set; } = 30;

    /// <summary>Wrong codes per address from one client network in 30 days (scaled like <see cref="MaxFailuresPerHour"/>).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Otp:MaxFailuresPer30Days must be between 1 and 1000000.")]
    public int MaxFailuresPer30Days { get; set; } = 100;

    /// <summary>
    /// Wrong codes per address and purpose from every network together within 30 days (the current and the previous
    /// 30-day window), after which that address's new codes for that purpose are <see cref="LongCodeLength"/> characters
    /// and its short codes stop working. It bounds the guesses at short codes whatever the number of networks, without
    /// refusing anyone: at most 10^<see cref="Length"/> / 10,000, so that no short code is guessed with a chance above 1
    /// in 10,000 in 30 days.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Otp:MaxFailuresBeforeLongCodes must be between 1 and 1000000.")]
    public int MaxFailuresBeforeLongCodes { get; set; } = 100;

    /// <summary>Characters of a long code (5 bits each): 10 give 2^50 codes.</summary>
    [Range(8, 16, ErrorMessage = "Otp:LongCodeLength must be between 8 and 16.")]
    public int LongCodeLength { get; set; } = 10;

    /// <summary>Seconds between two codes for one registration (or one reset).</summary>
    [Range(0, 3_600, ErrorMessage = "Otp:ResendCooldownSeconds must be between 0 and 3600.")]
    public int ResendCooldownSeconds { get; set; } = 60;

    /// <summary>Codes per address requested from one client network in an hour (scaled for IPv6 /56 and /48).</summary>
    [Range(1, 10_000, ErrorMessage = "Otp:MaxSendsPerHour must be between 1 and 10000.")]
    public int MaxSendsPerHour { get; set; } = 5;

    /// <summary>Codes per address in an hour from every network together; like the failure ceiling, above what one network can send.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Otp:MaxSendsPerAddressPerHour must be between 1 and 1000000.")]
    public int MaxSendsPerAddressPerHour { get; set; } = 25;
}

internal sealed class OtpOptionsValidator(IOptions<RateLimiting.RateLimitOptions> networks) : IValidateOptions<OtpOptions>
{
    public ValidateOptionsResult Validate(string? name, OtpOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.HashKey) && Encoding.UTF8.GetByteCount(options.HashKey) < OtpOptions.MinHashKeyBytes)
        {
            errors.Add($"Otp:HashKey must be at least {OtpOptions.MinHashKeyBytes} bytes long.");
        }

        // The guessing bound: at most one chance in 10,000 that some short code is guessed in 30 days.
        var shortCodes = Math.Pow(10, options.Length);
        if (options.MaxFailuresBeforeLongCodes > shortCodes / 10_000)
        {
            errors.Add($"Otp:MaxFailuresBeforeLongCodes must be at most 10^Otp:Length / 10000 ({Math.Max(0, Math.Floor(shortCodes / 10_000))}), or a short code could be guessed with a chance above 1 in 10,000 in 30 days.");
        }

        // The send ceiling bounds everyone together; if one /48 could reach it alone, it could keep the owner from a code.
        var allocation = networks.Value.Ipv6AllocationFactor;
        if (options.MaxSendsPerAddressPerHour <= options.MaxSendsPerHour * allocation)
        {
            errors.Add($"Otp:MaxSendsPerAddressPerHour must be more than Otp:MaxSendsPerHour × RateLimits:Ipv6AllocationFactor ({options.MaxSendsPerHour * allocation}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
