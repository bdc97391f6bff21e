namespace OtpAuth.Api.Account;

public static class AccountExtensions
{
    /// <summary>Deleting and exporting one's own account.</summary>
    public static IHostApplicationBuilder AddAccount(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<AccountDeletion>();
        builder.Services.AddScoped<AccountExport>();
        return builder;
    }
}
