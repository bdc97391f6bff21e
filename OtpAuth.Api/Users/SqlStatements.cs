using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OtpAuth.Api.Users;

/// <summary>
/// One SQL statement of the Api's own (a data-modifying <c>WITH</c>, an <c>UPDATE … RETURNING</c>) on the context's
/// connection and inside its transaction, with the interpolated values sent as parameters, as
/// <c>Database.SqlQuery</c> would. Not through <c>SqlQuery</c>: EF Core's query precompiler, which the Native AOT build
/// needs (docs/native-aot.md), cannot compile an interpolated <c>SqlQuery</c>.
/// </summary>
internal static class SqlStatements
{
    /// <summary>The first column of every row the statement returns; retried on a transient failure as EF's own are.</summary>
    public static Task<List<T>> QueryAsync<T>(DatabaseFacade database, FormattableString sql, CancellationToken cancellationToken) =>
        database.CreateExecutionStrategy().ExecuteAsync((database, sql), static (state, token) => RunAsync<T>(state.database, state.sql, token), cancellationToken);

    private static async Task<List<T>> RunAsync<T>(DatabaseFacade database, FormattableString sql, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = (NpgsqlTransaction?)database.CurrentTransaction?.GetDbTransaction();
            var values = sql.GetArguments();
            var placeholders = new object[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                placeholders[i] = "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.Add(new NpgsqlParameter { Value = values[i] ?? DBNull.Value });
            }

            command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sql.Format, placeholders);
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(reader.GetFieldValue<T>(0));
            }

            return rows;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }
}
