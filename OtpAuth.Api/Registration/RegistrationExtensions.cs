using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Registration;

public static class RegistrationExtensions
{
    /// <summary>Registration: pending registrations, their codes, and the purge of expired ones.</summary>
    public static IHostApplicationBuilder AddRegistration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RegistrationOptions>(RegistrationOptions.SectionName);
        builder.Services.AddScoped<RegistrationFlow>();
        builder.Services.AddHostedService<RegistrationPurge>();
        return builder;
    }
}
