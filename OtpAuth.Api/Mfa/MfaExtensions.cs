using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Mfa;

public static class MfaExtensions
{
    /// <summary>TOTP with recovery codes, and the second step of a sign-in.</summary>
    public static IHostApplicationBuilder AddMfa(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<MfaOptions>(MfaOptions.SectionName);
        services.AddSingleton<TotpCodes>();
        services.AddSingleton<RecoveryCodes>();
        services.AddSingleton<MfaFailures>();
        services.AddSingleton<MfaChallenges>();
        services.AddScoped<SecondFactorCheck>();
        services.AddScoped<TotpEnrollment>();
        services.AddScoped<SecondFactorSignIn>();
        return builder;
    }
}
