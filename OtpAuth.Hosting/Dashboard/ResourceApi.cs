using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtpAuth.Hosting.Orchestration;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>
/// The machine-readable resource API of DESIGN.md §2, served by the AppHost itself:
/// <c>GET /api/resources</c>, <c>GET /api/resources/{name}/logs</c>, <c>POST /api/resources/{name}/stop|start|restart</c>.
/// </summary>
internal sealed class ResourceApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ResourceApi(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<ResourceApi> StartAsync(Orchestrator orchestrator, int port, string host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the AppHost console is for the resources' own output
        builder.WebHost.UseSetting("urls", string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        var app = builder.Build();
        MapResourceApi(app, orchestrator);
        await app.StartAsync();
        return new ResourceApi(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{(host is "0.0.0.0" or "*" ? "127.0.0.1" : host)}:{port}/")));
    }

    private static void MapResourceApi(IEndpointRouteBuilder app, Orchestrator orchestrator)
    {
        var api = app.MapGroup("/api/resources");
        api.MapGet("/", () => orchestrator.Instances.Select(Describe));
        api.MapGet("/{name}/logs", (string name) =>
            Try(() => TypedResults.Ok(orchestrator.Find(name).SelectMany(i => i.Logs.Snapshot()).OrderBy(e => e.Timestamp).Select(e => e.Text))));
        api.MapPost("/{name}/stop", (string name) => Try(() => Accepted(orchestrator.StopResourceAsync(name))));
        api.MapPost("/{name}/start", (string name) => Try(() => Accepted(orchestrator.StartResourceAsync(name, CancellationToken.None))));
        api.MapPost("/{name}/restart", (string name) => Try(() =>
            Accepted(orchestrator.StopResourceAsync(name).ContinueWith(_ => orchestrator.StartResourceAsync(name, CancellationToken.None), TaskScheduler.Default).Unwrap())));
        app.MapGet("/", () => TypedResults.Redirect("/api/resources"));
    }

    private static object Describe(ResourceInstance instance) => new
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

    /// <summary>Stop/start run in the background: the call answers 202 at once, the state shows the progress.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.Accepted Accepted(Task operation)
    {
        _ = operation.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return TypedResults.Accepted((string?)null);
    }

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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
