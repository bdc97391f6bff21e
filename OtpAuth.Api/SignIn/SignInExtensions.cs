namespace OtpAuth.Api.SignIn;

public static class SignInExtensions
{
    /// <summary>Sign-in with an emailed code (its mails go through the code-mail queue of AddOtp).</summary>
    public static IHostApplicationBuilder AddSignInByCode(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SignInCodeFlow>();
        return builder;
    }
}
