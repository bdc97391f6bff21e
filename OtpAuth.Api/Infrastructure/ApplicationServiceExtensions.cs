using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTelemetry.Trace;
using OtpAuth.Api.Account;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.EmailChange;
using OtpAuth.Api.Login;
using OtpAuth.Api.Mfa;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passkeys;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Recovery;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.SignIn;
using OtpAuth.Api.Tokens;
using OtpAuth.Api.Users;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Infrastructure;

public static class ApplicationServiceExtensions
{
    /// <summary>The longest a Redis command waits to become a span once the instrumentation's polling has backed off (idle).</summary>
    private static readonly TimeSpan RedisSpanFlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Everything the auth service needs: each feature registers its own options, services and hosted services (each
    /// options class validated at start with messages naming its keys). Hosted services start in this order, the
    /// database migrations first.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        RequiredConnectionStrings.AddTo(services);
        builder.AddUsers();
        builder.AddRedisClient("redis",
            // Aspire's copy of the Redis instrumentation turns profiled commands into spans every 10 s, so it holds each
            // request's Activity and commands that long. OpenTelemetry's own package drains commands as they complete
            // and polls every 100 ms while there are any; with no Filter or Enrich set, as here.
            settings => settings.DisableTracing = true,
            configureOptions: options =>
            {
                // Start even when Redis is not up yet and keep reconnecting in the background; while disconnected, fail
                // commands at once (the caller answers 503) instead of queueing them until a timeout.
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
                // Try to reconnect on every heartbeat (once a second), so an Api answers again within about a second
                // of Redis being back; an attempt a second costs nothing.
                options.ReconnectRetryPolicy = new StackExchange.Redis.LinearRetry(500);
            });
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddRedisInstrumentation(options => options.FlushInterval = RedisSpanFlushInterval));

        services.AddSingleton(TimeProvider.System);
        services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName);
        builder.AddEmail();
        builder.AddRateLimiting();
        builder.AddOtp();

        // Passwords.
        services.AddValidatedOptions<PasswordOptions>(PasswordOptions.SectionName);
        services.AddSingleton<PasswordHasher>();
        services.AddHostedService<PasswordWarmUp>();
        services.AddSingleton<HashingGate>();
        services.AddSingleton<PasswordPolicy>();

        builder.AddTokens();
        builder.AddSessions();
        builder.AddRecovery();
        builder.AddRegistration();
        builder.AddVerification();
        builder.AddPasskeys();
        builder.AddMfa();
        builder.AddLogin();
        builder.AddSignInByCode();
        builder.AddEmailChange();
        builder.AddAccount();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
            // A number sent as a string is a wrong type, and the OpenAPI schema then says plainly "integer".
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddProblemDetailsEverywhere();
        builder.AddSecurity();
        builder.AddApiTelemetry();
        services.AddOpenApiDocument();
        return builder;
    }
}
