using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Sessions;

public static class SessionsExtensions
{
    /// <summary>Sessions and their refresh tokens, their revocation, and the bearer authentication that honours it.</summary>
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SessionLifetimeOptions>(SessionLifetimeOptions.SectionName).Services
            .AddSingleton<IValidateOptions<SessionLifetimeOptions>, SessionLifetimeOptionsValidator>();
        services.AddSingleton<RevokedSessions>();
        services.AddScoped<SessionStore>();
        services.AddHostedService<SessionPurge>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorization();
        return builder;
    }
}
