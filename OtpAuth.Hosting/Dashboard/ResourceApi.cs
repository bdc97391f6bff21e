using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OtpAuth.Hosting.Orchestration;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>
/// The machine-readable resource API of DESIGN.md §2, served by the AppHost itself:
/// <c>GET /api/resources</c>, <c>GET /api/resources/{name}/logs</c>, <c>POST /api/resources/{name}/stop|start|restart</c>,
/// and the live streams the dashboard listens to (<see cref="LiveStreams"/>).
/// </summary>
internal static class ResourceApi
{
    public static RouteGroupBuilder MapResourceApi(this IEndpointRouteBuilder app, Orchestrator orchestrator)
    {
        var api = app.MapGroup("/api/resources");
        api.MapGet("/", () => orchestrator.Instances.Select(Describe));
        api.MapGet("/stream", (CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(LiveStreams.ResourcesAsync(orchestrator, cancellationToken)));
        api.MapGet("/{name}/logs", (string name) =>
            Try(() => TypedResults.Ok(orchestrator.LogsOf(name).Select(e => e.Text))));
        api.MapGet("/{name}/logs/stream", (string name, CancellationToken cancellationToken) =>
            Try(() => TypedResults.ServerSentEvents(LiveStreams.ConsoleAsync(orchestrator.Find(name), cancellationToken))));
        api.MapPost("/{name}/stop", (string name) => Control(orchestrator, name, () => orchestrator.StopResourceAsync(name)));
        api.MapPost("/{name}/start", (string name) => Control(orchestrator, name, () => orchestrator.StartResourceAsync(name, CancellationToken.None)));
        api.MapPost("/{name}/restart", (string name) => Control(orchestrator, name, () => orchestrator.RestartResourceAsync(name, CancellationToken.None)));
        return api;
    }

    internal static object Describe(ResourceInstance instance) => new
    {
        name = instance.Name,
        type = instance.Resource.Type,
        runtime = instance.Runtime,
        state = instance.State,
        health = instance.Health,
        endpoints = instance.Urls.Select(u => new { name = u.Name, url = u.Url }),
        pid = instance.Pid,
        replicaOf = instance.ReplicaOf,
        startedAt = instance.StartedAt,
        restarts = instance.Restarts,
        exitCode = instance.ExitCode,
        error = instance.Error,
        server = (instance.Resource as Resources.RedisResource)?.ServerKind,
        environment = instance.DisplayEnvironment,
    };

    /// <summary>
    /// Stop/start run in the background: the call answers 202 at once and the state shows the progress. The name is
    /// checked first, so an unknown one answers 404 rather than a 202 for an operation that fails at once.
    /// </summary>
    private static IResult Control(Orchestrator orchestrator, string name, Func<Task> operation) => Try(() =>
    {
        orchestrator.Find(name);
        _ = Task.Run(operation).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return TypedResults.Accepted((string?)null);
    });

    private static IResult Try(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
    }
}
