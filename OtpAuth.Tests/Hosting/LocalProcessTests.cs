using Npgsql;
using OtpAuth.Hosting.Postgres;
using OtpAuth.Hosting.Redis;
using Microsoft.Extensions.DependencyInjection;
using OtpAuth.Tests.Infrastructure;
using StackExchange.Redis;

namespace OtpAuth.Tests.Hosting;

/// <summary>
/// OtpAuth.Hosting's local-process integrations, each in an app of its own (started through Aspire.Hosting.Testing like
/// the shared system, with a state folder of its own): what they keep, what they fall back to.
/// </summary>
public sealed class LocalProcessTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("otpauth-local-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgreSQL_data_survive_a_restart_of_the_app()
    {
        await using (var first = await StartAsync(["postgres", "otpauth"]))
        {
            await using var connection = await OpenAsync(first, "otpauth");
            await ExecuteAsync(connection, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
            Assert.True(File.Exists(Path.Combine(_state.FullName, "postgres-data", "PG_VERSION")), "the data directory is in the state folder");
        }

        await using var second = await StartAsync(["postgres", "otpauth"]);
        await using var again = await OpenAsync(second, "otpauth");
        await using var read = new NpgsqlCommand("SELECT value FROM kept", again);
        Assert.Equal("still here", await read.ExecuteScalarAsync(Token));
    }

    [Fact]
    public async Task PostgreSQL_under_root_runs_as_the_postgres_user_with_password_authentication()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Only under root does the AppHost switch PostgreSQL to the postgres OS user.");

        await using var app = await StartAsync(["postgres", "otpauth"]);

        var server = Assert.IsType<LocalPostgresServerResource>(Model(app).Single(r => r.Name == "postgres"));
        Assert.Equal("setpriv", Path.GetFileName(server.Command));
        await using var connection = await OpenAsync(app, "otpauth");
        await using var whoAmI = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
        Assert.Equal(server.DataDirectory, await whoAmI.ExecuteScalarAsync(Token));
        var wrongPassword = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Password = "wrong-password", Pooling = false };
        await using var refused = new NpgsqlConnection(wrongPassword.ConnectionString);
        var error = await Assert.ThrowsAsync<PostgresException>(() => refused.OpenAsync(Token));
        Assert.Equal("28P01", error.SqlState); // invalid_password: scram-sha-256, never trust
    }

    [Fact]
    public async Task Garnet_serves_Redis_with_Lua_when_redis_server_is_not_on_the_search_path()
    {
        var nothing = _state.CreateSubdirectory("empty-path");

        await using var app = await StartAsync(["redis"], $"Hosting:SearchPath={nothing.FullName}",
            // The search path hides PostgreSQL and Node.js too: name servers for them, which are then left out of the app.
            "ConnectionStrings:otpauth=Host=unused.invalid", "ConnectionStrings:mail=smtp://unused.invalid:25");

        var redis = Assert.IsType<LocalRedisResource>(Model(app).Single(r => r.Name == "redis"));
        Assert.Equal(LocalRedisServer.Garnet, redis.Server);
        await using var connection = await ConnectionMultiplexer.ConnectAsync((await app.GetConnectionStringAsync("redis", Token))!);
        var database = connection.GetDatabase();
        Assert.True(await database.PingAsync() < TimeSpan.FromSeconds(5));
        // The Api's code checks are Lua scripts: they must run here too.
        Assert.Equal(2L, (long)await database.ScriptEvaluateAsync("redis.call('SET', KEYS[1], '1') return redis.call('INCR', KEYS[1])", ["k"]));
    }

    private async Task<DistributedApplication> StartAsync(string[] resources, params string[] arguments)
    {
        return await AppStartup.StartPartAsync(_state, resources, arguments, Token);
    }

    private static IEnumerable<IResource> Model(DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources;

    private static async Task<NpgsqlConnection> OpenAsync(DistributedApplication app, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync(name, Token)) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(Token);
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Token);
    }

    public void Dispose() => AppStartup.DeleteStateDirectory(_state);
}
