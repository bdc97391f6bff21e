using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace OtpAuth.Api.Tokens;

public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>HS256 needs a key at least as long as its 256-bit output (RFC 7518 §3.2).</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>The HMAC-SHA256 signing key, used as its UTF-8 bytes.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:SigningKey is required: a random secret of at least 32 bytes (environment: Jwt__SigningKey).")]
    public string SigningKey { get; set; } = "";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:Issuer must not be empty.")]
    public string Issuer { get; set; } = "otpauth";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:Audience must not be empty.")]
    public string Audience { get; set; } = "otpauth";

    [Range(1, 1440, ErrorMessage = "Jwt:AccessTokenMinutes must be between 1 and 1440.")]
    public int AccessTokenMinutes { get; set; } = 30;

    public SymmetricSecurityKey CreateSigningKey() => new(Encoding.UTF8.GetBytes(SigningKey));
}

internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options) =>
        !string.IsNullOrEmpty(options.SigningKey) && Encoding.UTF8.GetByteCount(options.SigningKey) < JwtOptions.MinSigningKeyBytes
            ? ValidateOptionsResult.Fail($"Jwt:SigningKey must be at least {JwtOptions.MinSigningKeyBytes} bytes long.")
            : ValidateOptionsResult.Success;
}
