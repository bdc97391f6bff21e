using Microsoft.Extensions.DependencyInjection;

namespace OtpAuth.Tests.Infrastructure;

/// <summary>
/// Waits that cannot hang: every wait has a timeout, a resource that cannot start fails it at once, and the failure
/// carries the resource's last log lines (Aspire's own waits may otherwise wait forever with no word of why).
/// </summary>
public static partial class AppStartup
{
    public static readonly TimeSpan ResourceTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Every resource that runs something (projects, executables, containers) and every one with a health check,
    /// healthy; not those that start only when asked (such as the project rebuilders Aspire adds), nor those named in
    /// <paramref name="except"/>.
    /// </summary>
    public static async Task WaitForAllHealthyAsync(DistributedApplication app, CancellationToken cancellationToken, params string[] except)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var waited = model.Resources
            .Where(r => r is not ParameterResource && !r.Annotations.OfType<ExplicitStartupAnnotation>().Any() && !except.Contains(r.Name))
            .Where(r => r is ExecutableResource or ContainerResource || r.Annotations.OfType<HealthCheckAnnotation>().Any())
            .Select(r => WaitForHealthyAsync(app, r.Name, cancellationToken));
        await Task.WhenAll(waited);
    }

    /// <summary>Starts <paramref name="app"/> and waits for every resource to be healthy, the two within <paramref name="within"/>.</summary>
    public static async Task StartHealthyAsync(DistributedApplication app, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await app.StartAsync(timeout.Token);
        await WaitForAllHealthyAsync(app, timeout.Token);
    }

    public static async Task WaitForHealthyAsync(DistributedApplication app, string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResourceTimeout);
        try
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, WaitBehavior.StopOnResourceUnavailable, timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or DistributedApplicationException && !cancellationToken.IsCancellationRequested)
        {
            var state = app.ResourceNotifications.TryGetCurrentState(name, out var current)
                ? $"{current.Snapshot.State?.Text ?? "no state"}, health {current.Snapshot.HealthStatus?.ToString() ?? "unknown"}"
                : "unknown to the model";
            throw new TimeoutException(
                $"Resource '{name}' did not become healthy within {ResourceTimeout.TotalSeconds} s ({state}). Its last log lines:\n"
                + string.Join('\n', await LastLogLinesAsync(app, name, 40)), exception);
        }
    }

    /// <summary>
    /// The AppHost's own model cut down to <paramref name="resources"/> (and the parameters), started with a state folder
    /// and secrets of its own; waits for every resource to be healthy unless <paramref name="waitForHealthy"/> is false.
    /// </summary>
    public static async Task<DistributedApplication> StartPartAsync(
        DirectoryInfo state, string[] resources, string[] arguments, CancellationToken cancellationToken, bool waitForHealthy = true)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(
            [.. TestApp.Arguments(state.FullName), "Hosting:ContainerEngine=none", .. arguments], timeout.Token);
        foreach (var other in appHost.Resources.Where(r => r is not ParameterResource && !resources.Contains(r.Name)).ToList())
        {
            appHost.Resources.Remove(other);
        }

        var app = await appHost.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        if (waitForHealthy)
        {
            await WaitForAllHealthyAsync(app, timeout.Token);
        }

        return app;
    }

    /// <summary>Runs one of a resource's commands (stop, start, restart, or its own), failing with the command's message.</summary>
    public static async Task ExecuteAsync(DistributedApplication app, string resourceName, string commandName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResourceTimeout);
        var result = await app.ResourceCommands.ExecuteCommandAsync(resourceName, commandName, timeout.Token);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{commandName} of '{resourceName}' failed: {result.Message}");
        }
    }

    /// <summary>The newest lines of a resource's console log (stdout and stderr, as the dashboard shows them).</summary>
    public static async Task<IReadOnlyList<string>> LastLogLinesAsync(DistributedApplication app, string name, int count)
    {
        var lines = new List<string>();
        // Logs are kept per running instance (its id, such as api-xkcd42), not per resource name.
        var id = app.ResourceNotifications.TryGetCurrentState(name, out var resource) ? resource.ResourceId : name;
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(id).WithCancellation(done.Token))
            {
                // As the console shows them, less the colours (ANSI escapes around "fail", "warn"…).
                lines.AddRange(batch.Select(line => AnsiEscape().Replace(line.Content, "")));
            }
        }
        catch (OperationCanceledException)
        {
            // The backlog has been read; the watch would wait for new lines forever.
        }

        return lines.TakeLast(count).ToList();
    }

    /// <summary>Removes a test's state folder (PostgreSQL's data belong to the postgres OS user; root may delete them).</summary>
    public static void DeleteStateDirectory(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A process that outlived the app still holds a file: the temp folder is cleaned by the OS later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex AnsiEscape();
}
