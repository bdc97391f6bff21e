using Npgsql;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

public sealed class DatabaseConnectionTests
{
    [Fact]
    public void A_plain_connection_string_gets_prepared_statements_and_no_reset_and_keeps_its_password()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseConnection.Tuned("Host=db;Port=5432;Username=app;Password=s3cret;Database=otpauth"));

        Assert.Equal(DatabaseConnection.DefaultMaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("-c plan_cache_mode=force_generic_plan", tuned.Options);
        Assert.Equal("s3cret", tuned.Password);
        Assert.Equal("db", tuned.Host);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false;Options=-c jit=off")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false;options=-c jit=off")]
    public void An_operators_own_setting_wins_in_any_spelling(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseConnection.Tuned(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal("-c jit=off", tuned.Options);
    }

    [Fact]
    public void A_plain_connection_string_gets_timeouts_that_answer_within_seconds_when_the_server_stops_answering()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseConnection.Tuned("Host=db;Database=otpauth"));

        // A statement's timeout and the cancel request after it (up to two connect timeouts), with room to spare, inside
        // the 10 s every endpoint promises; after it the connection is dropped without waiting on the server (-1), and
        // 0 would mean waiting forever.
        Assert.InRange(tuned.CommandTimeout, 1, 4);
        Assert.InRange(tuned.Timeout, 1, 2);
        Assert.Equal(-1, tuned.CancellationTimeout);
    }

    [Fact]
    public void An_operators_own_timeouts_win()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseConnection.Tuned("Host=db;Timeout=20;Command Timeout=60;Cancellation Timeout=2000"));

        Assert.Equal((20, 60, 2000), (tuned.Timeout, tuned.CommandTimeout, tuned.CancellationTimeout));
    }
}
