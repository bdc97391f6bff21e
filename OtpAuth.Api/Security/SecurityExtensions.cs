namespace OtpAuth.Api.Security;

public static class SecurityExtensions
{
    /// <summary>The client's address from trusted proxies only, and the HTTP hardening of every response.</summary>
    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        builder.AddTrustedProxies();
        builder.AddHttpHardening();
        return builder;
    }
}
