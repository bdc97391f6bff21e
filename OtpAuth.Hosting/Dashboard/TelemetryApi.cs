using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OtpAuth.Hosting.Telemetry;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>
/// The JSON behind the telemetry views: <c>GET /api/traces</c>, <c>/api/traces/{traceId}</c>, <c>/api/logs</c>,
/// <c>/api/metrics</c>, and <c>/api/telemetry/resources</c> (what anything was received from, for the filters).
/// </summary>
internal static class TelemetryApi
{
    public static void MapTelemetryApi(this IEndpointRouteBuilder app, TelemetryStore store)
    {
        app.MapGet("/api/traces", (string? resource, string? text, int? limit) =>
            store.GetTraces(Blank(resource), Blank(text), Math.Clamp(limit ?? 100, 1, 1000)));

        app.MapGet("/api/traces/{traceId}", IResult (string traceId) =>
            store.GetTrace(traceId) is { } trace
                ? TypedResults.Ok(trace)
                : TypedResults.Problem($"No trace {traceId} has been received (or it was dropped as the oldest).", statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/api/logs", (string? resource, string? level, string? text, string? traceId, long? after, int? limit) =>
            store.GetLogs(new LogQuery(Blank(resource), Blank(level), Blank(text), Blank(traceId), after, limit ?? 500)));

        app.MapGet("/api/metrics", (string? resource, string? name) => store.GetMetrics(Blank(resource), Blank(name)));

        app.MapGet("/api/telemetry/resources", () => store.GetResources());
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
