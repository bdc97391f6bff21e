using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Otp;

/// <summary>The one-time code rules of DESIGN.md §4, bound from the <c>Otp</c> section.</summary>
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

    [Range(1, 100, ErrorMessage = "Otp:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 5;

    [Range(1, 10_000, ErrorMessage = "Otp:MaxFailuresPerHour must be between 1 and 10000.")]
    public int MaxFailuresPerHour { get; set; } = 10;

    [Range(0, 3_600, ErrorMessage = "Otp:ResendCooldownSeconds must be between 0 and 3600.")]
    public int ResendCooldownSeconds { get; set; } = 60;

    [Range(1, 10_000, ErrorMessage = "Otp:MaxSendsPerHour must be between 1 and 10000.")]
    public int MaxSendsPerHour { get; set; } = 5;
}

internal sealed class OtpOptionsValidator : IValidateOptions<OtpOptions>
{
    public ValidateOptionsResult Validate(string? name, OtpOptions options) =>
        !string.IsNullOrEmpty(options.HashKey) && Encoding.UTF8.GetByteCount(options.HashKey) < OtpOptions.MinHashKeyBytes
            ? ValidateOptionsResult.Fail($"Otp:HashKey must be at least {OtpOptions.MinHashKeyBytes} bytes long.")
            : ValidateOptionsResult.Success;
}
