using System.Data.Common;
using Dapper;
using Microsoft.EntityFrameworkCore;

namespace OtpAuth.Api.Users;

/// <summary>
/// The statements every sign-up and sign-in runs, sent with Dapper on the context's own connection instead of through
/// EF Core's query pipeline. Each is one hand-written statement already (a data-modifying <c>WITH</c> that EF cannot
/// compose, or a plain insert), so EF added only its per-call work: a raw SQL query's parameters are an array, which EF
/// turns into SQL afresh at every call, after funcletizing and hashing the whole query to look it up; SaveChanges adds
/// change tracking for a row nobody reads back. docs/benchmarks.md ("What moved the figures") has what that cost.
/// </summary>
internal static class HotStatements
{
    /// <summary>
    /// Runs <paramref name="sql"/> (named parameters, <c>@name</c>, from <paramref name="parameters"/>' properties) in
    /// autocommit under the context's execution strategy, so it is retried as EF's own queries are, on the connection EF
    /// manages. Not for use inside a transaction.
    /// </summary>
    public static Task<List<T>> QueryAsync<T>(this OtpAuthDbContext db, string sql, object parameters, CancellationToken cancellationToken) =>
        db.RunAsync(async (connection, command) => (await connection.QueryAsync<T>(command)).AsList(), sql, parameters, cancellationToken);

    /// <summary>As <see cref="QueryAsync{T}"/>, for a statement that returns no rows; the number of rows it wrote.</summary>
    public static Task<int> ExecuteAsync(this OtpAuthDbContext db, string sql, object parameters, CancellationToken cancellationToken) =>
        db.RunAsync((connection, command) => connection.ExecuteAsync(command), sql, parameters, cancellationToken);

    private static Task<T> RunAsync<T>(this OtpAuthDbContext db, Func<DbConnection, CommandDefinition, Task<T>> run, string sql, object parameters, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await db.Database.OpenConnectionAsync(token);
            try
            {
                return await run(db.Database.GetDbConnection(), new CommandDefinition(sql, parameters, cancellationToken: token));
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }, cancellationToken);
}
