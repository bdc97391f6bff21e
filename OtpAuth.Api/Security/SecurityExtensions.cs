namespace OtpAuth.Api.Security;

public static class SecurityExtensions
{
    /// <summary>The client's address from trusted proxies only, the limits of one request, and the HTTP hardening of every response.</summary>
    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        builder.AddTrustedProxies();
        builder.AddRequestLimits();
        builder.AddHttpHardening();
        return builder;
    }
}
