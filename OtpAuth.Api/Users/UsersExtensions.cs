using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Users;

public static class UsersExtensions
{
    /// <summary>The database: the context through Aspire's Npgsql integration, and its migrations applied at start.</summary>
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<OtpAuthDbContext>("otpauth",
            settings =>
            {
                // Their default retries wait up to half a minute; a request should turn into a 503 within seconds instead.
                settings.DisableRetry = true;
                settings.ConnectionString = DatabaseConnection.Tuned(settings.ConnectionString);
            },
            options => options.UseNpgsql(npgsql => npgsql.ExecutionStrategy(dependencies => new DatabaseRetryStrategy(dependencies))));
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}
