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
        Assert.Equal("s3cret", tuned.Password);
        Assert.Equal("db", tuned.Host);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false")]
    public void An_operators_own_setting_wins_in_any_spelling(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseConnection.Tuned(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }
}
