using Microsoft.Extensions.Configuration;
using OtpAuth.Hosting.MailDev;
using OtpAuth.Hosting.Postgres;
using OtpAuth.Hosting.Redis;
using OtpAuth.Tests.Infrastructure;
using AspirePostgres = Aspire.Hosting.ApplicationModel.PostgresServerResource;
using AspireRedis = Aspire.Hosting.ApplicationModel.RedisResource;

namespace OtpAuth.Tests.Hosting;

/// <summary>
/// Which runtime the AppHost's own model gives PostgreSQL, Redis and the mail server (docs/architecture.md, "Resources and runtimes"), read from the model
/// it builds; nothing is started here (no container engine exists on these machines to start the container path).
/// </summary>
public sealed class RuntimeChoiceTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("otpauth-model-");

    [Fact]
    public async Task With_a_container_engine_the_infrastructure_is_Aspires_own_containers()
    {
        var resources = await ModelAsync("Hosting:ContainerEngine=docker");

        var postgres = Assert.IsType<AspirePostgres>(resources["postgres"]);
        Assert.Contains(postgres.Annotations.OfType<ContainerMountAnnotation>(), mount => mount.Type == ContainerMountType.Volume);
        Assert.IsType<PostgresDatabaseResource>(resources["otpauth"]);
        Assert.IsType<AspireRedis>(resources["redis"]);
        var mail = Assert.IsType<MailDevContainerResource>(resources["mail"]);
        var image = Assert.Single(mail.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("docker.io/maildev/maildev", "2.2.1"), ($"{image.Registry}/{image.Image}".TrimStart('/'), image.Tag));
        Assert.DoesNotContain(resources.Values, IsLocalServer);
    }

    [Fact]
    public async Task Without_a_container_engine_the_infrastructure_runs_as_local_processes()
    {
        var resources = await ModelAsync("Hosting:ContainerEngine=none");

        var postgres = Assert.IsType<LocalPostgresServerResource>(resources["postgres"]);
        Assert.Equal(Path.Combine(_state.FullName, "postgres-data"), postgres.DataDirectory);
        Assert.IsType<LocalPostgresDatabaseResource>(resources["otpauth"]);
        Assert.IsType<LocalRedisResource>(resources["redis"]);
        Assert.IsType<MailDevResource>(resources["mail"]);
        Assert.Empty(resources.Values.OfType<ContainerResource>());
    }

    [Fact]
    public async Task With_connection_strings_nothing_is_started_and_the_api_references_them()
    {
        var resources = await ModelAsync(
            "ConnectionStrings:otpauth=Host=db.example.com;Port=5432;Database=otpauth;Username=otp;Password=secret",
            "ConnectionStrings:redis=redis.example.com:6380,password=secret,ssl=true",
            "ConnectionStrings:mail=smtps://mailer:secret@smtp.example.com:465");

        foreach (var name in new[] { "otpauth", "redis", "mail" })
        {
            // A connection string parameter: its value is ConnectionStrings:<name>, handed on as it is.
            Assert.IsAssignableFrom<ParameterResource>(Assert.IsAssignableFrom<IResourceWithConnectionString>(resources[name]));
            Assert.Contains(resources["api"].Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == resources[name] && r.Type == "Reference");
        }

        Assert.DoesNotContain("postgres", resources.Keys);
        Assert.DoesNotContain(resources.Values, IsLocalServer);
        Assert.Empty(resources.Values.OfType<ContainerResource>());
    }

    [Fact]
    public async Task An_existing_server_named_by_ConnectionStrings_postgres_serves_the_otpauth_database()
    {
        var resources = await ModelAsync("ConnectionStrings:postgres=Host=db.example.com;Username=otp;Password=secret");

        Assert.IsAssignableFrom<ParameterResource>(Assert.IsAssignableFrom<IResourceWithConnectionString>(resources["otpauth"]));
        Assert.Equal("Host=db.example.com;Username=otp;Password=secret;Database=otpauth", _configuration["ConnectionStrings:otpauth"]);
    }

    [Fact]
    public async Task Real_SMTP_settings_become_the_mail_connection_string_the_api_reads()
    {
        var resources = await ModelAsync(
            "Hosting:ContainerEngine=none", "Smtp:Host=smtp.example.com", "Smtp:Port=587", "Smtp:Username=apikey",
            "Smtp:Password=p@ss:word", "Smtp:From=OtpAuth <otp@example.com>");

        Assert.IsAssignableFrom<ParameterResource>(Assert.IsAssignableFrom<IResourceWithConnectionString>(resources["mail"]));
        Assert.Equal("smtp://apikey:p%40ss%3Aword@smtp.example.com:587?from=OtpAuth%20%3Cotp%40example.com%3E", _configuration["ConnectionStrings:mail"]);
    }

    [Fact]
    public async Task Without_PostgreSQL_anywhere_the_AppHost_stops_with_one_error_naming_the_three_ways_to_provide_it()
    {
        var nothing = _state.CreateSubdirectory("empty-path");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("Hosting:ContainerEngine=none", $"Hosting:SearchPath={nothing.FullName}"));

        var message = Innermost(error).Message;
        Assert.Contains("PostgreSQL for 'postgres' is not available", message, StringComparison.Ordinal);
        Assert.Contains("1) a container engine", message, StringComparison.Ordinal);
        Assert.Contains("2) the PostgreSQL server binaries (initdb and postgres)", message, StringComparison.Ordinal);
        Assert.Contains("3) an existing server in configuration: ConnectionStrings:postgres", message, StringComparison.Ordinal);
    }

    private static bool IsLocalServer(IResource resource) =>
        resource is LocalPostgresServerResource or LocalRedisResource or MailDevResource;

    private static Exception Innermost(Exception exception) =>
        exception.InnerException is { } inner ? Innermost(inner) : exception;

    /// <summary>The AppHost's configuration once its model was built (where connection string parameters take their values).</summary>
    private Dictionary<string, string?> _configuration = [];

    private async Task<Dictionary<string, IResource>> ModelAsync(params string[] arguments)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await using var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(
            [.. TestApp.Arguments(_state.FullName), .. arguments], timeout.Token);
        _configuration = appHost.Configuration.AsEnumerable().ToDictionary(setting => setting.Key, setting => setting.Value);
        return appHost.Resources.ToDictionary(resource => resource.Name);
    }

    public void Dispose() => AppStartup.DeleteStateDirectory(_state);
}
