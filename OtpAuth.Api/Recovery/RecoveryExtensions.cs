namespace OtpAuth.Api.Recovery;

public static class RecoveryExtensions
{
    /// <summary>Forgot, reset and change password (reset mails go through the code-mail queue of AddOtp).</summary>
    public static IHostApplicationBuilder AddRecovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PasswordRecoveryFlow>();
        return builder;
    }
}
