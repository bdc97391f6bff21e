using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The cross-cutting defaults every OtpAuth service shares, in the shape of the .NET Aspire
/// ServiceDefaults template: OpenTelemetry, health checks, service discovery and HttpClient resilience.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>The tag that marks the health check that only says the process is alive.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The standard resilience handler logs every HttpClient attempt at Information; with telemetry exported
        // over HTTP every second that would bury the console. Retries and failures still show (Warning and up).
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes hit these every few seconds; tracing them would drown real requests.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static void AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Export only when someone is listening (the AppHost sets this for every project it starts).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }

    /// <summary>
    /// The longest one health check may take; past it the check counts as unhealthy. A dependency that stops answering
    /// must turn <c>/health</c> into a 503 within a probe's patience (5 s), not hold the probe as long as the client
    /// library's own timeouts (PostgreSQL's 15 s connect, Redis's 5 s).
    /// </summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(3);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        // After every integration has added its checks (Aspire's PostgreSQL and Redis among them): each gets the timeout
        // unless it set one, which cancels its work, and a wait bounded by it, for a check that does not heed the cancellation.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                if (registration.Timeout <= TimeSpan.Zero)
                {
                    registration.Timeout = HealthCheckTimeout;
                }

                var timeout = registration.Timeout;
                var check = registration.Factory;
                registration.Factory = services => new BoundedHealthCheck(services.GetRequiredService<IServiceScopeFactory>(), check, timeout);
            }
        });
        return builder;
    }

    /// <summary>
    /// Answers within the timeout whatever the check does. The check runs in a scope of its own, disposed when the check
    /// ends: the health check service disposes its scope as soon as this answers, and a check still running there (a
    /// DbContext still connecting) would fail that disposal.
    /// </summary>
    private sealed class BoundedHealthCheck(IServiceScopeFactory scopes, Func<IServiceProvider, IHealthCheck> check, TimeSpan timeout) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var running = RunAsync(context, cancellationToken);
            try
            {
                var result = await running.WaitAsync(timeout, cancellationToken);
                // A check that catches its own exceptions (EF Core's) reports the caller's cancellation as Unhealthy: it
                // goes on as the cancellation it is.
                if (result.Exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return result;
            }
            // A caller that gave up (a probe that disconnected, the host stopping) is not a dependency that did not answer:
            // its cancellation goes on as one, and nothing is reported unhealthy for it.
            catch (Exception exception) when (!running.IsCompleted && !cancellationToken.IsCancellationRequested
                && exception is TimeoutException or OperationCanceledException)
            {
                // Left to end by itself (its own timeouts and the cancellation bound it); its failure is of no more interest.
                _ = running.ContinueWith(static task => task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {timeout.TotalSeconds} s.");
            }
        }

        private async Task<HealthCheckResult> RunAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            return await check(scope.ServiceProvider).CheckHealthAsync(context, cancellationToken);
        }
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every registered check, dependencies included) and <c>/alive</c>
    /// (liveness: only the checks tagged "live"). Unlike the template these are mapped in every
    /// environment, because the AppHost probes them; they name each check and its status, never an exception or a connection string.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
