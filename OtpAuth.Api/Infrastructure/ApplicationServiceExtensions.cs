using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Email;
using OtpAuth.Api.Login;
using OtpAuth.Api.Otp;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Recovery;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Security;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Tokens;
using OtpAuth.Api.Users;
using OtpAuth.Api.Verification;

namespace OtpAuth.Api.Infrastructure;

public static class ApplicationServiceExtensions
{
    /// <summary>The longest a Redis command waits to become a span once the instrumentation's polling has backed off (idle).</summary>
    private static readonly TimeSpan RedisSpanFlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Everything the auth service needs, each options class validated at start with messages naming its keys.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        // Aspire's client integrations: connection strings from the AppHost, health checks, tracing and metrics.
        builder.AddNpgsqlDbContext<OtpAuthDbContext>("otpauth",
            settings =>
            {
                // Their default retries wait up to half a minute; a request should turn into a 503 within seconds instead.
                settings.DisableRetry = true;
                settings.ConnectionString = DatabaseConnection.Tuned(settings.ConnectionString);
            },
            options => options.UseNpgsql(npgsql => npgsql.ExecutionStrategy(dependencies => new DatabaseRetryStrategy(dependencies))));
        builder.AddRedisClient("redis",
            // Aspire's copy of the Redis instrumentation turns profiled commands into spans every 10 s, so it holds each
            // request's Activity and commands that long: ≈ 40 MB of the Api's RSS under load (docs/benchmarks.md, "Where
            // the memory went"). OpenTelemetry's own package, a newer version of the same code, drains commands as they
            // complete and polls every 100 ms while there are any; with no Filter or Enrich set, as here.
            settings => settings.DisableTracing = true,
            configureOptions: options =>
            {
                // Start even when Redis is not up yet and keep reconnecting in the background; while disconnected, fail
                // commands at once (the caller answers 503) instead of queueing them until a timeout.
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
                // Try to reconnect on every heartbeat (once a second). With the default back-off an Api went on answering
                // 503 for up to 3 s after Redis was back (median 2.2 s; now 0.6 s, at most 1.1 s); an attempt a second costs nothing.
                options.ReconnectRetryPolicy = new StackExchange.Redis.LinearRetry(500);
            });
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddRedisInstrumentation(options => options.FlushInterval = RedisSpanFlushInterval));
        RequiredConnectionStrings.AddTo(services);
        services.AddHostedService<DatabaseMigrator>();

        services.AddValidatedOptions<OtpOptions>(OtpOptions.SectionName).Services
            .AddSingleton<IValidateOptions<OtpOptions>, OtpOptionsValidator>();
        services.AddValidatedOptions<JwtOptions>(JwtOptions.SectionName).Services
            .AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddValidatedOptions<SessionLifetimeOptions>(SessionLifetimeOptions.SectionName).Services
            .AddSingleton<IValidateOptions<SessionLifetimeOptions>, SessionLifetimeOptionsValidator>();
        services.AddValidatedOptions<PasswordOptions>(PasswordOptions.SectionName);
        services.AddValidatedOptions<LoginOptions>(LoginOptions.SectionName);
        services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName);
        services.AddValidatedOptions<RegistrationOptions>(RegistrationOptions.SectionName);
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName).Services
            .AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        // The mail connection string first, then any Smtp:* value over it.
        services.AddSingleton<IConfigureOptions<SmtpOptions>, SmtpOptionsFromConnectionString>();
        services.AddValidatedOptions<SmtpOptions>(SmtpOptions.SectionName).Services
            .AddSingleton<IPostConfigureOptions<SmtpOptions>, SmtpSecurityDefaults>()
            .AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>()
            .AddHostedService<SmtpSecurityWarning>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<OtpHasher>();
        services.AddSingleton<OtpCodeGenerator>();
        services.AddSingleton<OtpStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<RedisRateLimiter>();
        services.AddSingleton<PasswordHasher>();
        services.AddHostedService<PasswordWarmUp>();
        services.AddSingleton<HashingGate>();
        services.AddSingleton<PasswordPolicy>();
        services.AddSingleton<CodeDelivery>();
        // The signing keys' private halves are kept by Data Protection, its ring in PostgreSQL (shared by every replica)
        // and encrypted under Jwt:KeyRingSecret.
        services.AddDataProtection().SetApplicationName("OtpAuth").PersistKeysToDbContext<OtpAuthDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeyRingEncryptionSetup>();
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRotation>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<RevokedSessions>();
        services.AddScoped<SessionStore>();
        services.AddHostedService<SessionPurge>();
        services.AddSingleton<ResetMailBacklog>();
        services.AddScoped<PasswordRecoveryFlow>();
        services.AddHostedService<ResetMailWorker>();
        services.AddSingleton<IOtpEmailSender, SmtpEmailSender>();
        services.AddScoped<RegistrationFlow>();
        services.AddScoped<VerificationFlow>();
        services.AddScoped<LoginFlow>();
        services.AddHostedService<RegistrationPurge>();

        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorization();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
            // A number sent as a string is a wrong type, and the OpenAPI schema then says plainly "integer".
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddProblemDetailsEverywhere();
        builder.AddTrustedProxies();
        builder.AddHttpHardening();
        builder.AddApiTelemetry();
        services.AddOpenApiDocument();
        return builder;
    }

    private static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
