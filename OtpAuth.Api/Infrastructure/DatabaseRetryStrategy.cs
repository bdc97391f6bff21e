using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// EF Core's retries for PostgreSQL, less the timeouts. A broken connection (a restart, a failover's dropped sessions)
/// fails at once and is worth a retry on a fresh one; a statement or connect that timed out met a server that does not
/// answer, and each retry would wait the whole timeout again (four tries made a login wait a minute). That one is a 503
/// at once, and the next request tries again.
/// </summary>
internal sealed class DatabaseRetryStrategy(ExecutionStrategyDependencies dependencies)
    : NpgsqlRetryingExecutionStrategy(dependencies, Retries, LongestRetryDelay, errorCodesToAdd: null)
{
    public const int Retries = 3;

    public static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    protected override bool ShouldRetryOn(Exception? exception) => !IsTimeout(exception) && base.ShouldRetryOn(exception);

    /// <summary>Npgsql's timeouts: an <see cref="NpgsqlException"/> around a <see cref="TimeoutException"/>, however wrapped.</summary>
    internal static bool IsTimeout(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
