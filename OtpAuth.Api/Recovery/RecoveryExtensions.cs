namespace OtpAuth.Api.Recovery;

public static class RecoveryExtensions
{
    /// <summary>Forgot, reset and change password: the flow, and the queue and worker that send reset mails.</summary>
    public static IHostApplicationBuilder AddRecovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ResetMailBacklog>();
        builder.Services.AddScoped<PasswordRecoveryFlow>();
        builder.Services.AddHostedService<ResetMailWorker>();
        return builder;
    }
}
