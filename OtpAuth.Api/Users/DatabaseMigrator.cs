using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OtpAuth.Api.Users;

/// <summary>
/// Applies the committed EF Core migrations before the server starts listening (hosted services start before
/// Kestrel, so <c>/health</c> answers only once the schema is there).
/// </summary>
/// <remarks>
/// Several replicas may start together against one database. EF Core 9+ takes a lock during Migrate (Npgsql's
/// provider: <c>LOCK TABLE "__EFMigrationsHistory"</c>), but that table must exist before it can be locked, and two
/// first-time <c>CREATE TABLE IF NOT EXISTS</c> can still collide. So the whole Migrate runs under a PostgreSQL
/// session-level advisory lock, taken on a connection of its own: one replica migrates, the others wait, then find
/// nothing left to do. A database that is not reachable yet is retried with a log line per attempt, up to a deadline,
/// after which the process stops with an error instead of crash-looping silently.
/// </remarks>
internal sealed partial class DatabaseMigrator(IServiceProvider services, ILogger<DatabaseMigrator> logger) : IHostedService
{
    /// <summary>An arbitrary constant ("OtpAut" in ASCII) that names the schema migration among advisory locks.</summary>
    private const long MigrationLockKey = 0x4F7470417574;

    private static readonly TimeSpan StartupDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartupDeadline;
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                // The AppHost creates the database; an external server may not have. Several replicas may race here.
                await CreateDatabaseAsync(cancellationToken);
                continue;
            }
            catch (NpgsqlException exception) when (exception.IsTransient && DateTime.UtcNow + delay < deadline)
            {
                LogDatabaseUnavailable(attempt, delay.TotalSeconds, exception.Message);
            }
            catch (NpgsqlException exception) when (exception.IsTransient)
            {
                LogGaveUp(StartupDeadline.TotalSeconds, exception);
                throw;
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromMinutes(5);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();

        // Waiting for another replica's migration, and a migration itself, may take far longer than a request's statement
        // may (DatabaseConnection's 5 s).
        db.Database.SetCommandTimeout(MigrationCommandTimeout);

        // A connection of its own, unpooled: the lock lives exactly as long as this session.
        var lockConnectionString = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString())
        {
            Pooling = false,
            CommandTimeout = (int)MigrationCommandTimeout.TotalSeconds,
        }.ConnectionString;
        await using var lockConnection = new NpgsqlConnection(lockConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await ExecuteAsync(lockConnection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            // Migrate first reads the history table, and on an empty database that read fails and is logged as an
            // error (EF Core then creates the table and carries on). Creating it first keeps a first start quiet.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            // A broken connection has lost its session, and the lock with it.
            if (lockConnection.FullState == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(lockConnection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }

        LogUpToDate();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var creator = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>().GetService<IRelationalDatabaseCreator>();
        try
        {
            LogCreatingDatabase();
            await creator.CreateAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it first.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The database does not exist yet; creating it")]
    private partial void LogCreatingDatabase();

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet (attempt {Attempt}: {Reason}); retrying the database migration in {DelaySeconds} s")]
    private partial void LogDatabaseUnavailable(int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "PostgreSQL stayed unreachable for {Seconds} s; the service cannot start without its database")]
    private partial void LogGaveUp(double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private partial void LogUpToDate();
}
