using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Email;

public static class EmailExtensions
{
    /// <summary>The SMTP sender and its options.</summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // The mail connection string first, then any Smtp:* value over it.
        services.AddSingleton<IConfigureOptions<SmtpOptions>, SmtpOptionsFromConnectionString>();
        services.AddValidatedOptions<SmtpOptions>(SmtpOptions.SectionName).Services
            .AddSingleton<IPostConfigureOptions<SmtpOptions>, SmtpSecurityDefaults>()
            .AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>()
            .AddHostedService<SmtpSecurityWarning>();
        services.AddSingleton<IOtpEmailSender, SmtpEmailSender>();
        services.AddSingleton<AccountNotices>();
        return builder;
    }
}
