using System.Net;
using System.Net.Sockets;
using Npgsql;
using OtpAuth.Hosting;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Resources;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Tests.Hosting;

/// <summary>
/// The engine on its own small models: fallbacks, errors, ports, persistence and clean shutdown.
/// Each test starts and disposes its own application, on random ports with a temporary state folder.
/// </summary>
public sealed class EngineTests : IDisposable
{
    /// <summary>Each test's guard against a hang (xunit makes a new instance per test).</summary>
    private readonly CancellationTokenSource _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public EngineTests() => _timeout.CancelAfter(TimeSpan.FromMinutes(3));

    public void Dispose() => _timeout.Dispose();

    private CancellationToken Timeout() => _timeout.Token;

    /// <summary>A model that may only run local processes, found in <paramref name="searchPath"/> alone.</summary>
    private static DistributedApplicationTestingBuilder LocalProcessesOnly(string searchPath)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Hosting:SearchPath"] = searchPath;
        builder.Configuration["Hosting:ContainerEngine"] = "none";
        return builder;
    }

    [Fact]
    public async Task With_redis_server_hidden_the_Garnet_fallback_serves_Redis()
    {
        var emptyPath = Directory.CreateTempSubdirectory("otpauth-no-redis-").FullName;
        var builder = LocalProcessesOnly(searchPath: emptyPath);
        var redis = builder.Builder.AddRedis("redis");
        await using var app = await builder.BuildAsync();

        await app.StartAsync(Timeout());

        Assert.Equal("garnet", redis.Resource.ServerKind);
        Assert.Contains(app.GetLogs("redis"), line => line.Text.Contains("redis-server not found; using Garnet", StringComparison.Ordinal));
        Assert.True(await HealthProbes.RedisAsync(redis.Resource.GetConnectionString()!, Timeout()));
        Directory.Delete(emptyPath);
    }

    [Fact]
    public async Task A_missing_PostgreSQL_fails_the_start_naming_the_three_ways_to_provide_one()
    {
        var emptyPath = Directory.CreateTempSubdirectory("otpauth-no-postgres-").FullName;
        var builder = LocalProcessesOnly(searchPath: emptyPath);
        builder.Builder.AddPostgres("postgres").AddDatabase("otpauth");
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<ResourceStartException>(() => app.StartAsync(Timeout()));

        Assert.Equal("postgres", error.ResourceName);
        Assert.Contains("container engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("initdb", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:postgres", error.Message, StringComparison.Ordinal);
        Directory.Delete(emptyPath);
    }

    [Fact]
    public async Task A_process_that_dies_at_start_fails_at_once_with_its_last_log_lines()
    {
        var fakeBin = Directory.CreateTempSubdirectory("otpauth-broken-redis-").FullName;
        var fake = Path.Combine(fakeBin, "redis-server");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'fatal: this redis is broken on purpose' >&2\nexit 3\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var builder = LocalProcessesOnly(searchPath: fakeBin);
        builder.Builder.AddRedis("redis");
        builder.Builder.Options.StartTimeout = TimeSpan.FromMinutes(30); // far beyond the test's own timeout:
        await using var app = await builder.BuildAsync();               // only failing at once can pass

        var error = await Assert.ThrowsAsync<ResourceStartException>(() => app.StartAsync(Timeout()));

        Assert.Contains("broken on purpose", error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Directory.Delete(fakeBin, recursive: true);
    }

    [Fact]
    public async Task A_busy_default_port_is_replaced_by_the_next_free_one()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var busyPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var builder = DistributedApplicationTestingBuilder.Create(options => options.RandomizePorts = false);
        var redis = builder.Builder.AddRedis("redis", port: busyPort);
        await using var app = await builder.BuildAsync();

        await app.StartAsync(Timeout());

        var port = app.GetEndpoint("redis", "tcp").Port;
        Assert.NotEqual(busyPort, port);
        Assert.True(port > busyPort);
        Assert.True(await HealthProbes.RedisAsync(redis.Resource.GetConnectionString()!, Timeout()));
    }

    [Fact]
    public async Task After_dispose_no_process_or_listening_port_is_left()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Builder.AddPostgres("postgres").AddDatabase("otpauth");
        builder.Builder.AddRedis("redis");
        builder.Builder.AddMailDev("mail");
        builder.Builder.AddProject<Projects.OtpAuth_Web>("web").WithEnvironment("services__api__http__0", "http://127.0.0.1:9");
        var app = await builder.BuildAsync();
        await app.StartAsync(Timeout());
        var pids = app.Instances.Where(i => i.Pid is not null).Select(i => i.Pid!.Value).ToList();
        var ports = app.Instances.SelectMany(i => i.Ports.Values).Append(app.DashboardUrl!.Port).ToList();
        var stateDirectory = app.StateDirectory;
        Assert.Equal(5, pids.Count + 1); // every instance but the database is a process

        await app.DisposeAsync();

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is gone"));
        Assert.All(ports, port => Assert.True(PortAllocator.IsFree(port), $"port {port} is free"));
        Assert.False(Directory.Exists(stateDirectory), "the temporary state folder is removed");
    }

    [Fact]
    public async Task Data_written_in_one_run_are_there_in_the_next()
    {
        var state = Path.Combine(Path.GetTempPath(), $"otpauth-persist-{Guid.NewGuid():N}");
        try
        {
            await RunPostgresAsync(state, "CREATE TABLE notes (text text); INSERT INTO notes VALUES ('kept across runs')");

            var read = await RunPostgresAsync(state, "SELECT text FROM notes");

            Assert.Equal("kept across runs", read);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Processes_left_by_a_crashed_run_are_stopped_at_the_next_start()
    {
        var state = Directory.CreateTempSubdirectory("otpauth-crashed-").FullName;
        using var leftover = System.Diagnostics.Process.Start("sleep", "300");
        var startTime = File.ReadAllText($"/proc/{leftover.Id}/stat").Split(") ")[1].Split(' ')[19];
        Directory.CreateDirectory(Path.Combine(state, "pids"));
        await File.WriteAllLinesAsync(Path.Combine(state, "pids", "redis.pid"), [leftover.Id.ToString(), startTime, ""], TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create(options => options.StateDirectory = state);
        builder.Builder.AddRedis("redis");
        await using var app = await builder.BuildAsync();

        await app.StartAsync(Timeout());

        Assert.True(leftover.WaitForExit(TimeSpan.FromSeconds(10)), "the leftover process was stopped");
        Assert.False(File.Exists(Path.Combine(state, "pids", "redis.pid")) && File.ReadAllLines(Path.Combine(state, "pids", "redis.pid"))[0] == leftover.Id.ToString());
    }

    [Fact]
    public async Task A_pid_file_whose_process_is_someone_elses_now_is_left_alone()
    {
        var state = Directory.CreateTempSubdirectory("otpauth-reused-pid-").FullName;
        using var bystander = System.Diagnostics.Process.Start("sleep", "300");
        Directory.CreateDirectory(Path.Combine(state, "pids"));
        // Same pid, different start time: the pid was reused by an unrelated process.
        await File.WriteAllLinesAsync(Path.Combine(state, "pids", "redis.pid"), [bystander.Id.ToString(), "1", ""], TestContext.Current.CancellationToken);
        var builder = DistributedApplicationTestingBuilder.Create(options => options.StateDirectory = state);
        builder.Builder.AddRedis("redis");
        await using var app = await builder.BuildAsync();

        await app.StartAsync(Timeout());

        Assert.False(bystander.HasExited);
        bystander.Kill();
    }

    [Fact]
    public async Task A_second_AppHost_on_the_same_state_folder_is_refused_and_leaves_the_first_running()
    {
        var state = Directory.CreateTempSubdirectory("otpauth-twice-").FullName;
        var first = DistributedApplicationTestingBuilder.Create(options => options.StateDirectory = state);
        var redis = first.Builder.AddRedis("redis");
        await using var running = await first.BuildAsync();
        await running.StartAsync(Timeout());
        var second = DistributedApplicationTestingBuilder.Create(options => { options.StateDirectory = state; options.DeleteStateOnDispose = false; });
        second.Builder.AddRedis("redis");
        await using var refused = await second.BuildAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.StartAsync(Timeout()));

        Assert.Contains("Another AppHost is running", error.Message, StringComparison.Ordinal);
        Assert.True(await HealthProbes.RedisAsync(redis.Resource.GetConnectionString()!, Timeout()), "the first run's Redis was left alone");
    }

    [Fact]
    public async Task Waiting_for_a_resource_that_was_stopped_fails_instead_of_hanging()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Builder.AddRedis("redis");
        await using var app = await builder.BuildAsync();
        await app.StartAsync(Timeout());
        await app.StopResourceAsync("redis");

        var error = await Assert.ThrowsAsync<ResourceStartException>(() => app.WaitForResourceHealthyAsync("redis", Timeout()));

        Assert.Contains("exited", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Redis_probe_authenticates_with_the_password_of_an_external_connection_string()
    {
        var port = new PortAllocator(randomize: true).Allocate(0);
        using var redis = System.Diagnostics.Process.Start("redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--requirepass", "pass word with spaces"])!;
        try
        {
            var withPassword = $"127.0.0.1:{port},password=pass word with spaces";
            while (!await HealthProbes.TcpConnectAsync("127.0.0.1", port, Timeout()))
            {
                await Task.Delay(50, Timeout());
            }

            Assert.True(await HealthProbes.RedisAsync(withPassword, Timeout()));
            Assert.False(await HealthProbes.RedisAsync($"127.0.0.1:{port}", Timeout()), "without the password Redis answers NOAUTH");
            Assert.False(await HealthProbes.RedisAsync($"127.0.0.1:{port},password=wrong", Timeout()));
        }
        finally
        {
            redis.Kill();
        }
    }

    private async Task<object?> RunPostgresAsync(string stateDirectory, string sql)
    {
        var builder = DistributedApplicationTestingBuilder.Create(options => { options.StateDirectory = stateDirectory; options.DeleteStateOnDispose = false; });
        builder.Builder.AddPostgres("postgres").WithDataVolume().AddDatabase("otpauth");
        await using var app = await builder.BuildAsync();
        await app.StartAsync(Timeout());
        var connectionString = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("otpauth")) { Pooling = false };
        await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
        await connection.OpenAsync(Timeout());
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Timeout());
    }
}
