using Fido2NetLib;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Passkeys;

public static class PasskeysExtensions
{
    /// <summary>Passkeys (WebAuthn, by Fido2) for the relying party of the <c>Passkeys</c> section, validated at start.</summary>
    public static IHostApplicationBuilder AddPasskeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<PasskeyOptions>(PasskeyOptions.SectionName).Services
            .AddSingleton<IPostConfigureOptions<PasskeyOptions>, PasskeyOptionsDefaults>()
            .AddSingleton<IValidateOptions<PasskeyOptions>, PasskeyOptionsValidator>();
        services.AddSingleton<IFido2>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PasskeyOptions>>().Value;
            return new Fido2(new Fido2Configuration
            {
                RPID = options.RpId,
                RPName = options.RpName,
                Origins = options.Origins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.Ordinal),
                Timeout = (uint)options.ChallengeSeconds * 1000,
            }, metadataService: null);
        });
        services.AddScoped<PasskeyCeremonies>();
        services.AddScoped<PasskeyFlow>();
        return builder;
    }
}
