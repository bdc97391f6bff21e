using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// Our stand-in for Aspire's <c>AddRedisClient</c>: one <see cref="IConnectionMultiplexer"/> for the whole process,
/// built from <c>ConnectionStrings:&lt;name&gt;</c>, and a "redis" health check that sends a real PING.
/// </summary>
public static class RedisHostingExtensions
{
    public const string HealthCheckName = "redis";

    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is missing: set it to a Redis address such as localhost:6379 (environment: ConnectionStrings__{connectionName}).");
        }

        builder.Services.AddSingleton<IConnectionMultiplexer>(services =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Start even when Redis is not up yet, and keep reconnecting in the background.
            options.AbortOnConnectFail = false;
            // While disconnected, fail commands at once (the caller answers 503) instead of queueing them until a timeout.
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.LoggerFactory = services.GetRequiredService<ILoggerFactory>();
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(HealthCheckName);
        return builder;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis did not answer PING.", exception);
            }
        }
    }
}
