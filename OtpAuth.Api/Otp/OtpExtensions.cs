using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Security;

namespace OtpAuth.Api.Otp;

public static class OtpExtensions
{
    /// <summary>One-time codes: their generator, their hashes and store in Redis, their delivery by mail, and the queue of code mails that must not tell an account from none.</summary>
    public static IHostApplicationBuilder AddOtp(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<OtpOptions>(OtpOptions.SectionName).Services
            .AddSingleton<IValidateOptions<OtpOptions>, OtpOptionsValidator>();
        services.AddSingleton<OtpHasher>();
        services.AddSingleton<IOpaqueIds>(provider => provider.GetRequiredService<OtpHasher>());
        services.AddSingleton<OtpCodeGenerator>();
        services.AddSingleton<OtpStore>();
        services.AddSingleton<FlowCodeCheck>();
        services.AddSingleton<CodeDelivery>();
        services.AddSingleton<CodeMailBacklog>();
        services.AddHostedService<CodeMailWorker>();
        return builder;
    }
}
