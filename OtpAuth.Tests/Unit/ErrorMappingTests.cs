using System.Net.Sockets;
using Npgsql;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.RateLimiting;

namespace OtpAuth.Tests.Unit;

/// <summary>Which failures are "try again" (503) and which are ours (500); and defaults that keep owners in.</summary>
public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData("08006")] // connection failure
    [InlineData("08001")] // cannot establish connection
    [InlineData("53300")] // too many connections
    [InlineData("53100")] // disk full
    [InlineData("57P01")] // admin shutdown
    [InlineData("57P03")] // cannot connect now (starting up)
    [InlineData("40001")] // serialization failure: Npgsql calls it transient
    public void An_unavailable_or_passing_PostgreSQL_state_is_transient(string sqlState) =>
        Assert.True(ProblemDetailsSetup.IsTransient(new PostgresException("x", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData("23505")] // unique violation
    [InlineData("23502")] // not null violation
    [InlineData("22001")] // string data right truncation
    [InlineData("42501")] // insufficient privilege
    [InlineData("42P01")] // undefined table
    [InlineData("57014")] // query canceled: class 57 but not 57P
    public void A_constraint_data_or_permission_error_is_not_transient(string sqlState) =>
        Assert.False(ProblemDetailsSetup.IsTransient(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void A_broken_or_refused_connection_is_transient()
    {
        Assert.True(ProblemDetailsSetup.IsTransient(new NpgsqlException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(ProblemDetailsSetup.IsTransient(new NpgsqlException("broken", new IOException("reset"))));
        Assert.True(ProblemDetailsSetup.IsTransient(new NpgsqlException("slow", new TimeoutException())));
        Assert.False(ProblemDetailsSetup.IsTransient(new NpgsqlException("bad configuration")));
    }

    [Fact]
    public void Login_has_no_per_address_limit_by_default_so_strangers_cannot_keep_the_owner_out() =>
        Assert.Equal(0, new RateLimitOptions().Login.PerAddress);
}
