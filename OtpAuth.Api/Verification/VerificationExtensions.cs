namespace OtpAuth.Api.Verification;

public static class VerificationExtensions
{
    /// <summary>Verification: a registration's code creates its account.</summary>
    public static IHostApplicationBuilder AddVerification(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<VerificationFlow>();
        return builder;
    }
}
