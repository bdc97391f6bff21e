using System.Data.Common;
using Npgsql;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// What the Api adds to the PostgreSQL connection string it is given, each only where the string does not set it
/// already (so an operator's <c>Max Auto Prepare=0</c>, <c>No Reset On Close=false</c>, <c>Options=…</c> or
/// <c>Command Timeout=30</c> wins).
/// </summary>
internal static class DatabaseConnection
{
    /// <summary>Statements kept prepared per connection: the Api sends a few dozen distinct ones, login and verify most.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// The server settings of the Api's sessions: prepared statements keep one plan. PostgreSQL otherwise plans the first
    /// five executions of a prepared statement with their values and then keeps a generic plan only if its estimate is
    /// no costlier; a range on a time column (expires_at &gt; $1) is estimated at a third of the table, so it kept
    /// planning each execution of the Api's statements anew. Every statement here finds its rows by a key or a short time
    /// range, where the generic plan is the plan the values would get.
    /// </summary>
    public const string DefaultServerOptions = "-c plan_cache_mode=force_generic_plan";

    /// <summary>Seconds to open a connection (TCP, TLS, authentication): a live server takes milliseconds.</summary>
    public const int DefaultConnectTimeoutSeconds = 2;

    /// <summary>Seconds a statement may run: the Api's take milliseconds (the migrator and the purges set their own).</summary>
    public const int DefaultCommandTimeoutSeconds = 3;

    /// <summary>
    /// After a statement times out, the connection is dropped at once (-1: no wait for the server to confirm the
    /// cancellation, which a silent server never does; Npgsql's own wait reads on for another command timeout).
    /// </summary>
    public const int DefaultCancellationTimeoutMilliseconds = -1;

    public static string? Tuned(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString; // RequiredConnectionStrings names what is missing
        }

        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql prepares nothing by default, so PostgreSQL parsed and planned every statement of every request anew.
        // Set it to 0 behind a transaction-pooling PgBouncer older than 1.21, which cannot carry prepared statements.
        if (!Sets(given, nameof(connection.MaxAutoPrepare)))
        {
            connection.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!Sets(given, nameof(connection.Options)))
        {
            connection.Options = DefaultServerOptions;
        }

        // EF Core closes its connection after each statement, and each reopening from the pool first reset the session
        // on the server (one more statement per statement). The Api leaves no session state to reset: no SET, no
        // temporary tables, no LISTEN, no advisory lock outside the migrator, which releases its own.
        if (!Sets(given, nameof(connection.NoResetOnClose)))
        {
            connection.NoResetOnClose = true;
        }

        // A server that stops answering (frozen, failing over, or behind a partition that drops packets) keeps its
        // connections open and silent; Npgsql's defaults then wait 15 s to connect, 30 s per statement and 2 s for the
        // cancellation, so a request hung past the client's patience and held its pooled connection. After a statement
        // times out Npgsql still sends the server a cancel request on a connection of its own, which a silent server
        // holds up to the connect timeout twice, synchronously, on a thread-pool worker (hence the Api's minimum of
        // workers, in its project file). So the worst a request waits is about 3 + 2 × 2 s before its 503 (a timeout is
        // not retried, see DatabaseRetryStrategy), inside the 10 s every endpoint promises.
        if (!Sets(given, nameof(connection.Timeout)))
        {
            connection.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!Sets(given, nameof(connection.CommandTimeout)))
        {
            connection.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (!Sets(given, nameof(connection.CancellationTimeout)))
        {
            connection.CancellationTimeout = DefaultCancellationTimeoutMilliseconds;
        }

        return connection.ConnectionString;
    }

    /// <summary>
    /// Whether the string names the setting, in any of its spellings ("Max Auto Prepare", "MaxAutoPrepare"):
    /// <see cref="NpgsqlConnectionStringBuilder.ContainsKey"/> answers true for every keyword Npgsql knows.
    /// </summary>
    private static bool Sets(DbConnectionStringBuilder given, string property) =>
        given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals(property, StringComparison.OrdinalIgnoreCase));
}
