using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Login;

public static class LoginExtensions
{
    /// <summary>Sign-in with a password, and its throttle per address and client.</summary>
    public static IHostApplicationBuilder AddLogin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LoginOptions>(LoginOptions.SectionName);
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddScoped<LoginFlow>();
        builder.Services.AddSingleton<PasswordConfirmation>();
        return builder;
    }
}
