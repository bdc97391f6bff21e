using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using OtpAuth.Hosting.Local;
using OtpAuth.Hosting.Mail;
using OtpAuth.Hosting.MailDev;
using OtpAuth.Hosting.Postgres;
using OtpAuth.Hosting.Redis;
using OtpAuth.Mail;

namespace OtpAuth.Hosting;

/// <summary>
/// PostgreSQL, Redis and the mail server, each from the runtime <see cref="InfrastructureRuntimes.ChooseRuntime"/>
/// picks: a server named in configuration (<c>AddConnectionString</c>, nothing started), Aspire's own container
/// resource, or a local process. Whichever it is, dependents see one connection string resource.
/// </summary>
public static class InfrastructureBuilderExtensions
{
    /// <summary>
    /// The database <paramref name="databaseName"/> on a PostgreSQL server <paramref name="serverName"/> whose data are
    /// kept across runs. <c>ConnectionStrings:&lt;databaseName&gt;</c> names an existing database, or
    /// <c>ConnectionStrings:&lt;serverName&gt;</c> an existing server (the Api creates the database on it if missing).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName)
    {
        if (!builder.HasConnectionString(databaseName) && builder.Configuration.GetConnectionStringOrNull(serverName) is { } server)
        {
            builder.Configuration[$"ConnectionStrings:{databaseName}"] = $"{server.TrimEnd(';')};Database={databaseName}";
        }

        switch (builder.ChooseRuntime(builder.HasConnectionString(databaseName)))
        {
            case InfrastructureRuntime.External:
                return builder.AddConnectionString(databaseName);
            case InfrastructureRuntime.Container:
                return builder.AddPostgres(serverName).WithDataVolume().AddDatabase(databaseName);
            default:
                var binDirectory = new ProgramLocator(builder.Configuration).FindPostgresBinDirectory()
                    ?? throw new DistributedApplicationException(
                        $"PostgreSQL for '{serverName}' is not available. Provide it one of three ways: " +
                        "1) a container engine (docker or podman) whose `info` answers; " +
                        "2) the PostgreSQL server binaries (initdb and postgres) on PATH or in /usr/lib/postgresql/<version>/bin " +
                        "(Debian: apt-get install postgresql); " +
                        $"3) an existing server in configuration: ConnectionStrings:{serverName} or ConnectionStrings:{databaseName} " +
                        $"(environment ConnectionStrings__{serverName}).");
                return builder.AddLocalPostgres(serverName, binDirectory).AddDatabase(databaseName);
        }
    }

    /// <summary>A Redis server; <c>ConnectionStrings:&lt;name&gt;</c> (<c>host:port</c>, StackExchange.Redis form) names an existing one.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        switch (builder.ChooseRuntime(builder.HasConnectionString(name)))
        {
            case InfrastructureRuntime.External:
                return builder.AddConnectionString(name);
            case InfrastructureRuntime.Container:
                return builder.AddRedis(name);
            default:
                if (new ProgramLocator(builder.Configuration).Find("redis-server") is null && !LocalRedisBuilderExtensions.CanRunGarnet(builder))
                {
                    throw new DistributedApplicationException(
                        $"Redis for '{name}' is not available. Provide it one of three ways: 1) a container engine (docker or podman); " +
                        "2) redis-server on PATH (Debian: apt-get install redis-server), or the Garnet tool pinned in .config/dotnet-tools.json; " +
                        $"3) an existing server in configuration: ConnectionStrings:{name} (environment ConnectionStrings__{name}).");
                }

                return builder.AddLocalRedis(name);
        }
    }

    /// <summary>
    /// The SMTP server mail goes out through: the dev server maildev (SMTP on <paramref name="smtpPort"/>, its inbox on
    /// <paramref name="inboxPort"/>), or real SMTP from <c>ConnectionStrings:&lt;name&gt;</c> or the <c>Smtp:*</c> keys.
    /// Either way it has an SMTP health check and a "Send test email" command in the dashboard.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMailServer(
        this IDistributedApplicationBuilder builder, string name, int? smtpPort = null, int? inboxPort = null)
    {
        if (!builder.HasConnectionString(name) && SmtpFromConfiguration(builder) is { } smtp)
        {
            builder.Configuration[$"ConnectionStrings:{name}"] = smtp.Format();
        }

        switch (builder.ChooseRuntime(builder.HasConnectionString(name)))
        {
            case InfrastructureRuntime.External:
                var external = builder.AddConnectionString(name);
                return builder.ExecutionContext.IsPublishMode ? external : external.WithSmtpHealthCheck().WithTestEmailCommand();
            case InfrastructureRuntime.Container:
                return builder.AddMailDevContainer(name, smtpPort, inboxPort);
            default:
                var locator = new ProgramLocator(builder.Configuration);
                if (locator.Find("node") is not { } node || locator.Find("npm") is not { } npm)
                {
                    throw new DistributedApplicationException(
                        $"The dev mail server '{name}' is not available. Provide it one of three ways: 1) a container engine (docker or podman); " +
                        "2) Node.js with npm on PATH (maildev 2.2.1 is installed with npm ci on first use); " +
                        $"3) real SMTP in configuration: Smtp:Host (with Smtp:Port, Smtp:Username, Smtp:Password) or ConnectionStrings:{name}.");
                }

                return builder.AddMailDev(name, node, npm, smtpPort, inboxPort);
        }
    }

    /// <summary>Real SMTP spelled out as <c>Smtp:Host</c>, <c>:Port</c>, <c>:Username</c>, <c>:Password</c>, <c>:Security</c>, <c>:From</c>.</summary>
    private static SmtpConnectionString? SmtpFromConfiguration(IDistributedApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Smtp");
        if (section["Host"] is not { Length: > 0 } host)
        {
            return null;
        }

        var port = int.TryParse(section["Port"], out var configuredPort) ? configuredPort : 587;
        var security = section["Security"];
        return new SmtpConnectionString
        {
            Host = host,
            Port = port,
            TlsOnConnect = string.Equals(security, "SslOnConnect", StringComparison.OrdinalIgnoreCase) || (security is null && port == 465),
            Security = security,
            Username = section["Username"] is { Length: > 0 } user ? user : null,
            Password = section["Password"] is { Length: > 0 } password ? password : null,
            From = section["From"] is { Length: > 0 } from ? from : null,
        };
    }

    private static string? GetConnectionStringOrNull(this Microsoft.Extensions.Configuration.ConfigurationManager configuration, string name) =>
        configuration[$"ConnectionStrings:{name}"] is { Length: > 0 } value ? value : null;
}
