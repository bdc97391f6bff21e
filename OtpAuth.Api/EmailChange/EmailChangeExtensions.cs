namespace OtpAuth.Api.EmailChange;

public static class EmailChangeExtensions
{
    /// <summary>Changing an account's address, and taking an old address back.</summary>
    public static IHostApplicationBuilder AddEmailChange(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PendingEmailChanges>();
        builder.Services.AddScoped<EmailChangeFlow>();
        return builder;
    }
}
