using Npgsql;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Resources;

/// <summary>A PostgreSQL server with password authentication (a generated password, kept in the state folder).</summary>
public sealed class PostgresServerResource : InfrastructureResource, IResourceWithConnectionString, IInfrastructureResource
{
    internal const string UserName = "postgres";
    private const string OsUser = "postgres";

    public PostgresServerResource(string name, ParameterResource password) : base(name)
    {
        Password = password;
        Endpoints.Add(new EndpointAnnotation("tcp", "tcp", defaultPort: 5432, containerPort: 5432));
    }

    public override string Type => "postgres";

    public ParameterResource Password { get; }

    /// <summary>Data kept across runs (a named volume, or a data folder in the state folder).</summary>
    public bool HasDataVolume { get; internal set; }

    public string? GetConnectionString()
    {
        if (ExternalConnectionString is not null)
        {
            return ExternalConnectionString;
        }

        var endpoint = GetEndpoint("tcp");
        return endpoint.Port is { } port
            ? new NpgsqlConnectionStringBuilder
            {
                Host = endpoint.Host,
                Port = port,
                Username = UserName,
                Password = Password.Value,
            }.ConnectionString
            : null;
    }

    string? IInfrastructureResource.GetExternalConnectionString(ResourceContext context) =>
        context.Configuration[$"ConnectionStrings:{Name}"];

    ContainerSpec IInfrastructureResource.GetContainerSpec(ResourceContext context) => new(
        Image: "docker.io/library/postgres:16-alpine",
        Ports: [new(GetEndpoint("tcp").Port!.Value, 5432)],
        Environment: new Dictionary<string, string>
        {
            ["POSTGRES_USER"] = UserName,
            ["POSTGRES_PASSWORD"] = Password.Value,
            ["POSTGRES_HOST_AUTH_METHOD"] = "scram-sha-256",
            ["POSTGRES_INITDB_ARGS"] = "--auth-host=scram-sha-256",
        },
        Volumes: HasDataVolume ? [new(context.VolumeName("data"), "/var/lib/postgresql/data")] : [],
        SecretEnvironment: ["POSTGRES_PASSWORD"]);

    async Task<ProcessSpec> IInfrastructureResource.GetProcessSpecAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var binDirectory = context.Executables.FindPostgresBinDirectory() ?? throw new ResourceUnavailableException(
            $"PostgreSQL for '{Name}' is not available. Provide it one of three ways: " +
            "1) a container engine (docker or podman) that answers `docker info`; " +
            "2) the PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/<version>/bin " +
            "(Debian: apt-get install postgresql); " +
            $"3) a connection string for an existing server in configuration: ConnectionStrings:{Name} " +
            "(environment ConnectionStrings__" + Name + ").");

        var dataDirectory = HasDataVolume
            ? Path.Combine(context.StateDirectory, $"{Name}-data")
            : Path.Combine(context.StateDirectory, "ephemeral", $"{Name}-data");
        var runAs = context.IsRoot ? OsUser : null;

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitializeDataDirectoryAsync(context, binDirectory, dataDirectory, runAs, cancellationToken);
        }

        return new ProcessSpec(
            FileName: Path.Combine(binDirectory, "postgres"),
            Arguments:
            [
                "-D", dataDirectory,
                "-p", GetEndpoint("tcp").Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1",
                // TCP only: no socket file to clash with a system PostgreSQL or another run.
                "-c", "unix_socket_directories=",
            ],
            RunAsUser: runAs,
            // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for idle pooled connections.
            StopSignal: Signals.SIGINT);
    }

    private async Task InitializeDataDirectoryAsync(
        ResourceContext context, string binDirectory, string dataDirectory, string? runAs, CancellationToken cancellationToken)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true); // a half-made data folder from an interrupted initdb
        }

        Directory.CreateDirectory(dataDirectory);
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $".{Name}-initdb-pw");
        StateFolder.WritePrivateFile(passwordFile, Password.Value);
        try
        {
            if (runAs is not null)
            {
                await context.RunToCompletionAsync(new ProcessSpec("chown", ["-R", $"{runAs}:{runAs}", dataDirectory, passwordFile]), cancellationToken);
            }

            await context.RunToCompletionAsync(
                new ProcessSpec(
                    Path.Combine(binDirectory, "initdb"),
                    ["-D", dataDirectory, "-U", UserName, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"],
                    RunAsUser: runAs),
                cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    async Task<bool> IInfrastructureResource.IsReadyAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(GetConnectionString()) { Pooling = false, Timeout = 3 };
        return await HealthProbes.PostgresAsync(builder.ConnectionString, cancellationToken);
    }
}

/// <summary>A database on a <see cref="PostgresServerResource"/>, created when the server is first ready.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent
{
    public override string Type => "database";

    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Server { get; } = parent;

    Resource IResourceWithParent.Parent => Server;

    internal string? ExternalConnectionString { get; set; }

    public string? GetConnectionString()
    {
        if (ExternalConnectionString is not null)
        {
            return ExternalConnectionString;
        }

        return Server.GetConnectionString() is { } server
            ? new NpgsqlConnectionStringBuilder(server) { Database = DatabaseName }.ConnectionString
            : null;
    }

    /// <summary>Creates the database on the server the AppHost runs (never on an external server).</summary>
    internal async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(Server.GetConnectionString()) { Pooling = false, Database = "postgres" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Identifiers cannot be parameters; the name is the AppHost author's, quoted all the same.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    internal Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(GetConnectionString()) { Pooling = false, Timeout = 3 };
        return HealthProbes.PostgresAsync(builder.ConnectionString, cancellationToken);
    }
}

public static class PostgresBuilderExtensions
{
    /// <summary>A PostgreSQL server; its password is generated once and kept in the state folder.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this DistributedApplicationBuilder builder, string name, int? port = null)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        var resource = new PostgresServerResource(name, password);
        if (port is { } fixedPort)
        {
            resource.GetEndpoint("tcp").DefaultPort = fixedPort;
        }

        return builder.AddResource(resource);
    }

    /// <summary>Keeps the server's data across runs: a named volume (container) or a folder in <c>.otpauth/</c> (process).</summary>
    public static IResourceBuilder<PostgresServerResource> WithDataVolume(this IResourceBuilder<PostgresServerResource> builder)
    {
        builder.Resource.HasDataVolume = true;
        return builder;
    }

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        return builder.ApplicationBuilder.AddResource(database);
    }
}
