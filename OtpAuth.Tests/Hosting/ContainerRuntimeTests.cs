using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Resources;
using OtpAuth.Hosting.Runtimes;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Tests.Hosting;

/// <summary>
/// The container runtime's commands. No container engine runs on the build machines, so what it would run is
/// checked here, argument by argument: images, loopback-only ports, environment, named volumes, stop and cleanup.
/// </summary>
public sealed class ContainerRuntimeTests
{
    private static readonly ContainerRuntime Docker = new("docker");

    [Fact]
    public void PostgreSQL_runs_from_postgres_16_alpine_with_its_password_a_loopback_port_and_a_named_volume()
    {
        var postgres = DistributedApplicationTestingBuilder.Create().Builder.AddPostgres("postgres").Resource;
        postgres.GetEndpoint("tcp").Port = 15432;
        postgres.Password.Resolve("s3cret");
        postgres.HasDataVolume = true;

        var context = Context();
        var spec = ((IInfrastructureResource)postgres).GetContainerSpec(context);
        var command = Docker.RunCommand("otpauth-abc-postgres", spec);

        Assert.Equal("docker", command.FileName);
        Assert.Equal(
            ["run", "--rm", "--name", "otpauth-abc-postgres", "-p", "127.0.0.1:15432:5432",
             "-e", "POSTGRES_HOST_AUTH_METHOD=scram-sha-256", "-e", "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256",
             "-e", "POSTGRES_PASSWORD", "-e", "POSTGRES_USER=postgres",
             "-v", $"{context.VolumeName("data")}:/var/lib/postgresql/data", "docker.io/library/postgres:16-alpine"],
            command.Arguments);
        Assert.DoesNotContain(command.Arguments, argument => argument.Contains("s3cret", StringComparison.Ordinal));
        Assert.Equal("s3cret", command.Environment!["POSTGRES_PASSWORD"]); // handed to the CLI's environment, which copies it in
    }

    [Fact]
    public void Redis_runs_from_redis_7_alpine_without_persistence()
    {
        var redis = new RedisResource("redis", garnetOnly: false);
        redis.GetEndpoint("tcp").Port = 16379;

        var command = Docker.RunCommand("otpauth-abc-redis", ((IInfrastructureResource)redis).GetContainerSpec(Context()));

        Assert.Equal(
            ["run", "--rm", "--name", "otpauth-abc-redis", "-p", "127.0.0.1:16379:6379",
             "docker.io/library/redis:7-alpine", "redis-server", "--save", "", "--appendonly", "no"],
            command.Arguments);
    }

    [Fact]
    public void MailDev_publishes_its_smtp_and_web_ports()
    {
        var mail = new MailDevResource("mail");
        mail.GetEndpoint("smtp").Port = 11025;
        mail.GetEndpoint("http").Port = 11080;

        var command = Docker.RunCommand("otpauth-abc-mail", ((IInfrastructureResource)mail).GetContainerSpec(Context()));

        Assert.Equal(
            ["run", "--rm", "--name", "otpauth-abc-mail", "-p", "127.0.0.1:11025:1025", "-p", "127.0.0.1:11080:1080", "docker.io/maildev/maildev:2.2.1"],
            command.Arguments);
    }

    [Fact]
    public void Podman_is_driven_the_same_way_and_stop_and_cleanup_name_the_container()
    {
        var podman = new ContainerRuntime("/usr/bin/podman");

        Assert.Equal(["stop", "--time", "10", "otpauth-abc-redis"], podman.StopCommand("otpauth-abc-redis", TimeSpan.FromSeconds(10)).Arguments);
        Assert.Equal(["rm", "--force", "otpauth-abc-redis"], podman.RemoveCommand("otpauth-abc-redis").Arguments);
        Assert.Equal("/usr/bin/podman", podman.RemoveCommand("x").FileName);
    }

    [Fact]
    public async Task No_engine_is_detected_when_neither_docker_nor_podman_answers()
    {
        var engine = await ContainerRuntime.DetectAsync(["docker", "podman"], _ => null, TestContext.Current.CancellationToken);

        Assert.Null(engine);
    }

    private static ResourceContext Context()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationManager();
        var executables = new ExecutableLocator(string.Empty);
        return new ResourceContext(configuration, new StateFolder("/tmp/otpauth-test"), executables,
            new ToolInstaller("/tmp", executables, "dotnet"), "dotnet", _ => { });
    }
}
