using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Tokens;

/// <summary>The <c>Jwt</c> section: who issues the access tokens, for whom, how long they live and how often the key changes.</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    public const int MinKeyRingSecretBytes = 32;

    /// <summary>
    /// The secret the Data Protection key ring is encrypted under at rest (see <see cref="KeyRingEncryption"/>); the
    /// ring in turn encrypts the signing keys. Used as its UTF-8 bytes.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:KeyRingSecret is required: a random secret of at least 32 bytes (environment: Jwt__KeyRingSecret).")]
    public string KeyRingSecret { get; set; } = "";

    /// <summary>
    /// The <c>iss</c> of every token and the issuer of the discovery document: the public URL the keys are served under
    /// (the Web's, which proxies <c>/.well-known</c>), so a JwtBearer can use it as Authority. Outside Development an
    /// absolute https URL; in Development any value, and one that is not an absolute URL publishes no discovery document.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:Issuer must not be empty.")]
    public string Issuer { get; set; } = "otpauth";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Jwt:Audience must not be empty.")]
    public string Audience { get; set; } = "otpauth";

    [Range(1, 1440, ErrorMessage = "Jwt:AccessTokenMinutes must be between 1 and 1440.")]
    public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>
    /// How long one signing key signs (fractions of a day allowed). The next key is published a quarter of this before it
    /// signs, and a retired key stays published until the last token it signed has expired.
    /// </summary>
    [Range(0.0001, 365, ErrorMessage = "Jwt:KeyRotationDays must be between 0.0001 and 365.")]
    public double KeyRotationDays { get; set; } = 30;

    public TimeSpan AccessTokenLifetime => TimeSpan.FromMinutes(AccessTokenMinutes);

    /// <summary>The issuer as an absolute http(s) URL, or null when it is not one.</summary>
    public static Uri? IssuerUrl(string issuer) =>
        Uri.TryCreate(issuer, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public TimeSpan KeyRotation => TimeSpan.FromDays(KeyRotationDays);
}

internal sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(options.KeyRingSecret) && Encoding.UTF8.GetByteCount(options.KeyRingSecret) < JwtOptions.MinKeyRingSecretBytes)
        {
            errors.Add($"Jwt:KeyRingSecret must be at least {JwtOptions.MinKeyRingSecretBytes} bytes long.");
        }

        // Relying services fetch the signing keys from the issuer's URL: outside Development that must be a URL nobody
        // on the path can rewrite, and never one the discovery document would have to make up from a request.
        if (!environment.IsDevelopment() && !string.IsNullOrEmpty(options.Issuer) && JwtOptions.IssuerUrl(options.Issuer) is not { Scheme: "https" })
        {
            errors.Add($"Jwt:Issuer must be an absolute https URL outside Development (the public URL of the Web, e.g. https://auth.example.com); it is '{options.Issuer}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
