using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// Our stand-in for Aspire's <c>AddNpgsqlDbContext</c> client integration: the connection string comes from
/// <c>ConnectionStrings:&lt;name&gt;</c>, transient failures are retried, a "postgres" health check runs a real query,
/// and Npgsql's commands show up in traces.
/// </summary>
public static class NpgsqlHostingExtensions
{
    public const string HealthCheckName = "postgres";

    public static IHostApplicationBuilder AddNpgsqlDbContext<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is missing: set it to a PostgreSQL connection string (environment: ConnectionStrings__{connectionName}).");
        }

        builder.Services.AddSingleton(services => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
            .Build());

        builder.Services.AddDbContext<TContext>((services, options) => options.UseNpgsql(
            services.GetRequiredService<NpgsqlDataSource>(),
            npgsql => npgsql.EnableRetryOnFailure(
                // A request should fail over to a 503 within seconds when PostgreSQL is down, not hang for half a minute.
                maxRetryCount: 3,
                maxRetryDelay: TimeSpan.FromSeconds(2),
                errorCodesToAdd: null)));

        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>(HealthCheckName);
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());
        return builder;
    }

    private sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL did not answer.", exception);
            }
        }
    }
}
