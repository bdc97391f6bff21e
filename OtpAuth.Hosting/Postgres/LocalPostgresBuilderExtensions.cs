using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OtpAuth.Hosting.Local;

namespace OtpAuth.Hosting.Postgres;

/// <summary>PostgreSQL as a local process, in the shape of Aspire's <c>AddPostgres(...).AddDatabase(...)</c>.</summary>
public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server run from the binaries in <paramref name="binDirectory"/>, its data kept in the state
    /// directory (<c>.otpauth/&lt;name&gt;-data</c>) across runs. Under root it runs as the <c>postgres</c> OS user.
    /// </summary>
    /// <param name="password">The superuser's password; by default a generated secret parameter named <c>&lt;name&gt;-password</c>, persisted with the data.</param>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string binDirectory, IResourceBuilder<ParameterResource>? password = null)
    {
        var passwordParameter = password?.Resource ?? builder.AddParameter(
            $"{name}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true).Resource;
        var dataDirectory = Path.Combine(LocalState.Directory(builder), $"{name}-data");
        var postgres = Path.Combine(binDirectory, "postgres");
        var port = LocalPorts.Allocate();
        var command = LocalState.IsRoot ? new ProgramLocator(builder.Configuration).Find("setpriv") ?? "setpriv" : "/bin/sh";
        var server = new LocalPostgresServerResource(name, command, dataDirectory, binDirectory, passwordParameter);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, cancellationToken) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken));

        // The AppHost's own connections (health checks, database creation) are not pooled: an idle pooled connection
        // would hold PostgreSQL's shutdown until the AppHost itself exits.
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => AdminConnectionString(connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet.")),
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithArgs(PostgresArguments(postgres, dataDirectory))
            .WithEndpoint(port: port, targetPort: port, name: LocalPostgresServerResource.PrimaryEndpointName, env: "PGPORT", isProxied: false)
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .OnBeforeResourceStarted((resource, @event, cancellationToken) => EnsureDataDirectoryAsync(resource, @event.Services, cancellationToken))
            .OnResourceReady(async (resource, @event, cancellationToken) =>
            {
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                var databases = @event.Services.GetRequiredService<DistributedApplicationModel>().Resources
                    .OfType<LocalPostgresDatabaseResource>().Where(database => database.Parent == resource);
                foreach (var database in databases)
                {
                    await CreateDatabaseAsync(connectionString!, database.DatabaseName, cancellationToken);
                    database.Created = true;
                    await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                    {
                        State = new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Success),
                    });
                }
            });
    }

    /// <summary>Adds a database, created on the server when the server is ready (as Aspire's <c>AddDatabase</c> does).</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.AddDatabase(name, database.DatabaseName);

        string? connectionString = null;
        builder.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, cancellationToken) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => Unpooled(connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet.")),
            name: healthCheckKey);

        return builder.ApplicationBuilder.AddResource(database)
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database")
            .OnInitializeResource((resource, @event, cancellationToken) =>
            {
                // Aspire passes a container's state on to its databases, not an executable's: mirror the server's here,
                // so the dashboard shows the database running and WaitFor(database) goes on to its health check. A
                // running server whose database is not created yet shows the database Starting: Aspire starts a
                // resource's health checks when it turns Running, so the first check then finds the database, where
                // one started with the server failed and the retries, 1 s then 2 s apart, found it up to 2 s late.
                _ = MirrorServerStateAsync(resource, @event.Notifications, cancellationToken);
                return Task.CompletedTask;
            });
    }

    private static async Task MirrorServerStateAsync(LocalPostgresDatabaseResource database, ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken))
            {
                if (update.Resource == database.Parent)
                {
                    var state = update.Snapshot.State?.Text == KnownResourceStates.Running && !database.Created
                        ? new ResourceStateSnapshot(KnownResourceStates.Starting, KnownResourceStateStyles.Info)
                        : update.Snapshot.State;
                    await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                    {
                        State = state,
                        StartTimeStamp = update.Snapshot.StartTimeStamp,
                        StopTimeStamp = update.Snapshot.StopTimeStamp,
                    });
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// <c>postgres -D … </c> listening on loopback only (the port comes from PGPORT) and on no Unix socket, so it never
    /// clashes with a system PostgreSQL. Under root the command is <c>setpriv</c>, which becomes the postgres OS user.
    /// PostgreSQL logs to stderr, which the dashboard would show as errors throughout; <c>sh</c> joins it to stdout
    /// (each line still says LOG, WARNING, ERROR or FATAL).
    /// </summary>
    private static string[] PostgresArguments(string postgres, string dataDirectory)
    {
        string[] server = ["-c", "exec \"$0\" \"$@\" 2>&1", postgres, "-D", dataDirectory,
            "-c", "listen_addresses=localhost", "-c", "unix_socket_directories="];
        return LocalState.IsRoot
            ? ["--reuid=" + LocalState.PostgresOsUser, "--regid=" + LocalState.PostgresOsUser, "--init-groups", "/bin/sh", .. server]
            : server;
    }

    /// <summary>Runs <c>initdb</c> once, when the data directory has no <c>PG_VERSION</c> yet.</summary>
    private static async Task EnsureDataDirectoryAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        if (Directory.Exists(server.DataDirectory))
        {
            Directory.Delete(server.DataDirectory, recursive: true); // left half-made by an interrupted initdb
        }

        Directory.CreateDirectory(server.DataDirectory);
        var passwordFile = Path.Combine(Path.GetDirectoryName(server.DataDirectory)!, $".{server.Name}-initdb-password");
        await File.WriteAllTextAsync(passwordFile, await server.PasswordParameter.GetValueAsync(cancellationToken), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            // --no-sync: initdb's closing fsync of every file it wrote is skipped, as PostgreSQL's own tests do. The data
            // directory is local development state made on first start; the server itself syncs as usual from then on.
            string[] initdb = [Path.Combine(server.BinDirectory, "initdb"), "-D", server.DataDirectory, "-U", LocalPostgresServerResource.UserName,
                $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"];
            if (LocalState.IsRoot)
            {
                await RunAsync(logger, ["chown", "-R", $"{LocalState.PostgresOsUser}:{LocalState.PostgresOsUser}", server.DataDirectory, passwordFile], cancellationToken);
                initdb = ["setpriv", "--reuid=" + LocalState.PostgresOsUser, "--regid=" + LocalState.PostgresOsUser, "--init-groups", .. initdb];
            }

            logger.LogInformation("Creating the data directory {DataDirectory} (initdb)", server.DataDirectory);
            await RunAsync(logger, initdb, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Runs a command to completion, its output into the resource's log; throws with the exit code on failure.</summary>
    private static async Task RunAsync(ILogger logger, string[] command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} could not be started.");
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) { logger.LogInformation("{Line}", text); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } text) { logger.LogWarning("{Line}", text); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"{Path.GetFileName(command[0])} failed with exit code {process.ExitCode}; its output is in this resource's log.");
        }
    }

    private static async Task CreateDatabaseAsync(string serverConnectionString, string databaseName, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(serverConnectionString));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // An identifier cannot be a parameter; the name is the AppHost author's, quoted all the same.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The server's maintenance database, without pooling.</summary>
    private static string AdminConnectionString(string serverConnectionString) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
