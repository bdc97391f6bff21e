using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Security;
using StackExchange.Redis;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// Every error is an RFC 9457 problem with a human <c>detail</c>, and no exception text, stack trace or
/// SQL reaches a response: unreadable requests become 400/413/415, an unreachable PostgreSQL or Redis 503, anything
/// else a plain 500. Responses without a body (404, 405, the bearer challenge's 401) get one from status code pages.
/// </summary>
public static partial class ProblemDetailsSetup
{
    /// <summary>The problem extension that carries the request's trace id.</summary>
    public const string TraceIdName = "trace_id";

    public static IServiceCollection AddProblemDetailsEverywhere(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Detail ??= DefaultDetail(context.ProblemDetails.Status);
            // The framework names the extension "traceId"; every JSON name of this API is snake_case.
            var extensions = context.ProblemDetails.Extensions;
            if (extensions.Remove("traceId", out var traceId))
            {
                extensions[TraceIdName] = traceId;
            }
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<HashingBusyExceptionHandler>();
        services.AddExceptionHandler<DependencyUnavailableExceptionHandler>();
        services.AddExceptionHandler<UnexpectedExceptionHandler>();

        // Malformed bodies raise BadHttpRequestException in every environment, so they reach the handler above
        // instead of ending as an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>
    /// Goes right after <c>UseExceptionHandler</c>. A request that outlives <see cref="RequestLimits.Timeout"/> is
    /// cancelled through its <c>RequestAborted</c> token, and the exception handler takes any cancellation seen with
    /// that token set for a client that went away (499, no body). This one timed out on our side: it becomes a
    /// <see cref="RequestTimedOutException"/>, which <see cref="DependencyUnavailableExceptionHandler"/> answers 503.
    /// </summary>
    public static IApplicationBuilder UseRequestTimeoutProblems(this IApplicationBuilder app) =>
        app.Use(static async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (OperationCanceledException exception) when (TimedOut(context))
            {
                throw new RequestTimedOutException(exception);
            }
        });

    private static bool TimedOut(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true };

    private static string? DefaultDetail(int? status) => status switch
    {
        StatusCodes.Status401Unauthorized => "A valid bearer token is required.",
        StatusCodes.Status403Forbidden => "You are not allowed to do this.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed => "This address does not accept that HTTP method.",
        StatusCodes.Status413PayloadTooLarge => $"The request body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        StatusCodes.Status500InternalServerError => "Something went wrong on our side. Please try again.",
        StatusCodes.Status503ServiceUnavailable => "The service is temporarily unavailable. Please try again in a moment.",
        _ => null,
    };

    /// <summary>
    /// Npgsql's own verdict (connection refused or broken, timeouts, and server errors it knows to be passing), plus
    /// the SQLSTATE classes of an unavailable server: 08 connection exception, 53 insufficient resources, 57P
    /// operator intervention (shutdown, crash, cannot connect now).
    /// </summary>
    internal static bool IsTransient(NpgsqlException exception) => exception switch
    {
        { IsTransient: true } => true,
        PostgresException { SqlState: var state } => state.StartsWith("08", StringComparison.Ordinal)
            || state.StartsWith("53", StringComparison.Ordinal)
            || state.StartsWith("57P", StringComparison.Ordinal),
        _ => exception.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException,
    };

    /// <summary>PostgreSQL unreachable or not answering in time: a failure that waiting can cure.</summary>
    internal static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        NpgsqlException npgsql => IsTransient(npgsql),
        RetryLimitExceededException or TimeoutException => true,
        DbUpdateException { InnerException: NpgsqlException npgsql } => IsTransient(npgsql),
        InvalidOperationException { InnerException: NpgsqlException npgsql } => IsTransient(npgsql),
        _ => false,
    };

    private static ValueTask<bool> WriteAsync(HttpContext context, Exception exception, int status, string? detail = null)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail ?? DefaultDetail(status) },
        });
    }

    /// <summary>Unreadable requests: bad JSON or wrong field types (400), no body (400), too large (413), not JSON (415).</summary>
    private sealed class BadRequestExceptionHandler : IExceptionHandler
    {
        public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException badRequest)
            {
                return ValueTask.FromResult(false);
            }

            var detail = badRequest.StatusCode switch
            {
                StatusCodes.Status400BadRequest when badRequest.InnerException is JsonException =>
                    "The request body is not valid JSON, or a field has the wrong type.",
                StatusCodes.Status400BadRequest when httpContext.Request.ContentLength is 0 or null =>
                    "A JSON request body is required.",
                StatusCodes.Status400BadRequest => "The request body must be a JSON object.",
                _ => null,
            };
            return WriteAsync(httpContext, exception, badRequest.StatusCode, detail);
        }
    }

    /// <summary>Every password hashing slot and queue place taken (<see cref="HashingGate"/>): 503 at once, retry in a second.</summary>
    private sealed class HashingBusyExceptionHandler(ILoggerFactory loggers) : IExceptionHandler
    {
        public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not HashingBusyException)
            {
                return ValueTask.FromResult(false);
            }

            SecurityEvents.HashingBusy(SecurityEvents.Logger(loggers), httpContext.Request.Path, ClientAddress.For(httpContext));
            httpContext.Response.Headers.RetryAfter = "1";
            return WriteAsync(httpContext, exception, StatusCodes.Status503ServiceUnavailable,
                "The service is busy. Please try again in a second.");
        }
    }

    /// <summary>
    /// PostgreSQL or Redis unreachable (or timing out): 503, and the next request tries again. Only failures that a retry
    /// can cure count: a constraint, data or permission error from PostgreSQL is a bug or a misconfiguration, and falls
    /// through to the plain 500.
    /// </summary>
    private sealed partial class DependencyUnavailableExceptionHandler(ILogger<DependencyUnavailableExceptionHandler> logger) : IExceptionHandler
    {
        public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var dependency = exception switch
            {
                RedisException or RedisTimeoutException => "Redis",
                NpgsqlException npgsql when IsTransient(npgsql) => "PostgreSQL",
                RetryLimitExceededException => "PostgreSQL",
                DbUpdateException { InnerException: NpgsqlException npgsql } when IsTransient(npgsql) => "PostgreSQL",
                InvalidOperationException { InnerException: NpgsqlException npgsql } when IsTransient(npgsql) => "PostgreSQL",
                RequestTimedOutException => "a dependency (the request timed out)",
                TimeoutException => "a dependency",
                _ => null,
            };
            if (dependency is null)
            {
                return ValueTask.FromResult(false);
            }

            LogUnavailable(httpContext.Request.Path, dependency, exception.GetType().Name, exception.GetBaseException().Message);
            httpContext.Response.Headers.RetryAfter = "5";
            return WriteAsync(httpContext, exception, StatusCodes.Status503ServiceUnavailable);
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: {Dependency} is unavailable ({ExceptionType}: {Reason})")]
        private partial void LogUnavailable(string path, string dependency, string exceptionType, string reason);
    }

    private sealed partial class UnexpectedExceptionHandler(ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
    {
        public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            LogUnexpected(httpContext.Request.Path, exception);
            return WriteAsync(httpContext, exception, StatusCodes.Status500InternalServerError);
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "{Path} failed unexpectedly")]
        private partial void LogUnexpected(string path, Exception exception);
    }
}

/// <summary>The request ran past <see cref="RequestLimits.Timeout"/> and was cancelled by it, not by its client.</summary>
public sealed class RequestTimedOutException(Exception inner) : TimeoutException("The request timed out.", inner);
