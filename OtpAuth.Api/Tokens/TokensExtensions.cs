using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Tokens;

public static class TokensExtensions
{
    /// <summary>Access tokens: the signing key ring, its rotation, and the issuer.</summary>
    public static IHostApplicationBuilder AddTokens(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<JwtOptions>(JwtOptions.SectionName).Services
            .AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        // The signing keys' private halves are kept by Data Protection, its ring in PostgreSQL (shared by every replica)
        // and encrypted under Jwt:KeyRingSecret.
        services.AddDataProtection().SetApplicationName("OtpAuth").PersistKeysToDbContext<OtpAuthDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeyRingEncryptionSetup>();
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRotation>();
        services.AddSingleton<TokenIssuer>();
        return builder;
    }
}
