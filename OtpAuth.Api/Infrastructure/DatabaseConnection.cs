using System.Data.Common;
using Npgsql;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// What the Api adds to the PostgreSQL connection string it is given, each only where the string does not set it
/// already (so an operator's <c>Max Auto Prepare=0</c> or <c>No Reset On Close=false</c> wins).
/// </summary>
internal static class DatabaseConnection
{
    /// <summary>Statements kept prepared per connection: the Api sends a few dozen distinct ones, login and verify most.</summary>
    public const int DefaultMaxAutoPrepare = 64;

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

        // EF Core closes its connection after each statement, and each reopening from the pool first reset the session
        // on the server (one more statement per statement). The Api leaves no session state to reset: no SET, no
        // temporary tables, no LISTEN, no advisory lock outside the migrator, which releases its own.
        if (!Sets(given, nameof(connection.NoResetOnClose)))
        {
            connection.NoResetOnClose = true;
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
