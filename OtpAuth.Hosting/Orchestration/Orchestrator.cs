using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Resources;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// Starts the application model: picks each resource's runtime, allocates ports, starts every instance once
/// what it waits for is healthy, probes readiness with a timeout on every wait, keeps watching health, and
/// stops everything in order (projects, then infrastructure; gracefully, then by force).
/// </summary>
internal sealed partial class Orchestrator(
    IReadOnlyList<Resource> resources,
    IConfiguration configuration,
    DistributedApplicationOptions options,
    StateFolder state,
    ConsoleOutput console,
    PortAllocator ports) : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private IReadOnlyList<ResourceInstance> _instances = []; // replaced whole, never mutated: the dashboard reads it concurrently
    private readonly PidFiles _pidFiles = new(state.Path);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly string _dotnetHost = FindDotnetHost();
    private ExecutableLocator _executables = null!;
    private ToolInstaller _tools = null!;
    private ContainerRuntime? _containers;
    private Task? _monitor;

    public IReadOnlyList<ResourceInstance> Instances => _instances;

    /// <summary>The AppHost's OTLP/HTTP receiver, handed to every project it starts; null: no telemetry export.</summary>
    public Uri? OtlpEndpoint { get; set; }

    public IReadOnlyList<ResourceInstance> Find(string name)
    {
        var found = _instances.Where(i => i.Name == name || i.ReplicaOf == name).ToList();
        return found.Count > 0
            ? found
            : throw new ArgumentException(
                $"Unknown resource '{name}'. Resources: {string.Join(", ", _instances.Select(i => i.Name))}.", nameof(name));
    }

    /// <summary>The console lines of a resource (all its replicas), oldest first.</summary>
    public IReadOnlyList<LogEntry> LogsOf(string name) =>
        [.. Find(name).SelectMany(i => i.Logs.Snapshot()).OrderBy(e => e.Timestamp)];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _executables = new ExecutableLocator(configuration["Hosting:SearchPath"]);
        _tools = new ToolInstaller(RepositoryRoot(options.ProjectDirectory), _executables, _dotnetHost);

        foreach (var line in await _pidFiles.CleanUpLeftoversAsync(RemoveContainerAsync))
        {
            console.Host(line, ConsoleColor.DarkYellow);
        }

        ResolveExternalResources();
        if (resources.OfType<IInfrastructureResource>().Any(r => !IsExternal((Resource)r)))
        {
            _containers = await DetectContainerEngineAsync(cancellationToken);
        }

        CreateInstances();

        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var starts = _instances.Select(instance => StartInstanceAsync(instance, startup.Token)).ToList();
        while (starts.Count > 0)
        {
            var done = await Task.WhenAny(starts);
            starts.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                await startup.CancelAsync(); // fail at once: the other starts end at their next await
                await Task.WhenAll(starts).ContinueWith(_ => { }, TaskScheduler.Default); // none may launch after the stop below
                var failed = _instances.FirstOrDefault(i => i.State == ResourceStates.Failed);
                await StopAsync();
                if (done.Exception?.InnerException is { } error)
                {
                    throw failed is null ? error : new ResourceStartException(failed.Name, failed.Error ?? error.Message);
                }

                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("Start-up was cancelled.");
            }
        }

        _monitor = MonitorHealthAsync(_lifetime.Token);
    }

    public async Task StopAsync()
    {
        await _lifetime.CancelAsync();
        if (_monitor is not null)
        {
            await _monitor.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        // Projects first (they hold connections to the rest), then the infrastructure. StopInstanceAsync never
        // throws, so one stubborn process cannot keep the infrastructure running.
        await Task.WhenAll(_instances.Where(i => i.Resource is ProjectResource).Select(StopInstanceAsync));
        await Task.WhenAll(_instances.Where(i => i.Resource is not ProjectResource).Select(StopInstanceAsync));
    }

    public void Dispose() => _lifetime.Dispose();

    public async Task StopResourceAsync(string name) =>
        await Task.WhenAll(Find(name).Select(instance => ControlAsync(instance, () => StopInstanceAsync(instance))));

    public async Task StartResourceAsync(string name, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        foreach (var instance in Find(name))
        {
            await ControlAsync(instance, async () =>
            {
                // Only a stopped instance starts; a second start (or one racing a restart) is a no-op.
                if (instance.State is ResourceStates.Exited or ResourceStates.Failed && (instance.Process is null || instance.Process.HasExited))
                {
                    instance.Restarts++;
                    instance.ResetHealthSignal();
                    await StartInstanceAsync(instance, linked.Token);
                }
            });
        }
    }

    public async Task RestartResourceAsync(string name, CancellationToken cancellationToken)
    {
        await StopResourceAsync(name);
        await StartResourceAsync(name, cancellationToken);
    }

    /// <summary>One stop or start of an instance at a time: two racing starts would orphan a process.</summary>
    private static async Task ControlAsync(ResourceInstance instance, Func<Task> operation)
    {
        await instance.ControlLock.WaitAsync();
        try
        {
            await operation();
        }
        finally
        {
            instance.ControlLock.Release();
        }
    }

    public async Task WaitForHealthyAsync(string name, CancellationToken cancellationToken)
    {
        var instances = Find(name);
        await Task.WhenAll(instances.Select(i => i.HealthyTask)).WaitAsync(cancellationToken);
        while (instances.Any(i => i.Health != HealthStates.Healthy))
        {
            if (instances.FirstOrDefault(i => i.State is ResourceStates.Failed or ResourceStates.Exited) is { } down)
            {
                throw new ResourceStartException(down.Name, $"it is {down.State}{(down.ExitCode is { } code ? $" (exit code {code})" : "")}.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private void ResolveExternalResources()
    {
        var context = CreateContext(_ => { });
        foreach (var resource in resources.OfType<InfrastructureResource>())
        {
            resource.ExternalConnectionString = ((IInfrastructureResource)resource).GetExternalConnectionString(context);
        }

        // A database given directly means its server is external too: nothing to start for either.
        foreach (var database in resources.OfType<PostgresDatabaseResource>())
        {
            if (configuration[$"ConnectionStrings:{database.Name}"] is { Length: > 0 } given)
            {
                database.ExternalConnectionString = given;
                database.Server.ExternalConnectionString ??= given;
            }
        }
    }

    private static bool IsExternal(Resource resource) => resource switch
    {
        PostgresDatabaseResource database => database.Server.ExternalConnectionString is not null,
        InfrastructureResource infrastructure => infrastructure.ExternalConnectionString is not null,
        _ => false,
    };

    private async Task<ContainerRuntime?> DetectContainerEngineAsync(CancellationToken cancellationToken)
    {
        var setting = configuration["Hosting:ContainerEngine"] ?? "auto";
        string[] candidates = setting switch
        {
            "none" => [],
            "docker" or "podman" => [setting],
            _ => ["docker", "podman"],
        };
        var engine = await ContainerRuntime.DetectAsync(candidates, _executables.Find, cancellationToken);
        console.Host(engine is null
            ? "No container engine answers (docker/podman): infrastructure runs as local processes."
            : $"Container engine: {engine.Cli}", ConsoleColor.DarkGray);
        return engine;
    }

    private void CreateInstances()
    {
        var instances = new List<ResourceInstance>();
        foreach (var resource in resources)
        {
            var replicas = resource is ProjectResource project ? project.Replicas : 1;
            for (var i = 0; i < replicas; i++)
            {
                var instance = replicas == 1
                    ? new ResourceInstance(resource, resource.Name, null)
                    : new ResourceInstance(resource, $"{resource.Name}-{i}", i);
                instance.Runtime = resource is ProjectResource ? "process"
                    : IsExternal(resource) ? "external"
                    : _containers is not null ? "container" : "process";
                if (!IsExternal(resource) && resource is not PostgresDatabaseResource)
                {
                    foreach (var endpoint in resource.Endpoints)
                    {
                        var port = ports.Allocate(endpoint.DefaultPort + i);
                        instance.Ports[endpoint.Name] = port;
                        endpoint.Port ??= port;
                        if (!options.RandomizePorts && port != endpoint.DefaultPort + i)
                        {
                            console.Host($"{instance.Name}: port {endpoint.DefaultPort + i} is busy; using {port} for {endpoint.Name}.", ConsoleColor.DarkYellow);
                        }
                    }
                }

                console.Register(instance.Name);
                instances.Add(instance);
            }
        }

        _instances = instances;
    }

    private async Task StartInstanceAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            instance.State = ResourceStates.Waiting;
            await WaitForDependenciesAsync(instance, cancellationToken);
            instance.State = ResourceStates.Starting;
            instance.Error = null;
            instance.StartedAt = DateTimeOffset.UtcNow;
            using (var launchTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // initdb, npm ci, tool restore: none of them may hang the start past its timeout.
                launchTimeout.CancelAfter(options.StartTimeout);
                try
                {
                    await LaunchAsync(instance, launchTimeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"preparing it took longer than {options.StartTimeout.TotalSeconds:0} s.");
                }
            }
            if (instance.State == ResourceStates.Starting)
            {
                instance.State = ResourceStates.Running;
            }

            await WaitUntilReadyAsync(instance, cancellationToken);
            instance.MarkHealthy();
            console.Host($"{instance.Name} is healthy ({instance.Runtime}).", ConsoleColor.DarkGreen);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var lastLines = string.Join(Environment.NewLine, instance.Logs.Tail(20).Select(l => "    " + l.Text));
            var error = lastLines.Length > 0 ? $"{e.Message}{Environment.NewLine}  last log lines:{Environment.NewLine}{lastLines}" : e.Message;
            instance.MarkFailed(error);
            console.Host($"{instance.Name} failed: {error}", ConsoleColor.Red);
            throw new ResourceStartException(instance.Name, error);
        }
    }

    private async Task WaitForDependenciesAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        var dependencies = instance.Resource.WaitsFor.ToList();
        if (instance.Resource is IResourceWithParent child)
        {
            dependencies.Add(child.Parent);
        }

        foreach (var dependency in dependencies.Distinct())
        {
            var waits = _instances.Where(i => i.Resource == dependency).Select(i => i.HealthyTask);
            try
            {
                await Task.WhenAll(waits).WaitAsync(options.StartTimeout, cancellationToken);
            }
            catch (ResourceStartException)
            {
                throw new InvalidOperationException($"it waits for '{dependency.Name}', which failed to start.");
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"'{dependency.Name}' was not healthy within {options.StartTimeout.TotalSeconds:0} s.");
            }
        }
    }

    private async Task LaunchAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        switch (instance.Resource)
        {
            case PostgresDatabaseResource database:
                instance.Runtime = _instances.First(i => i.Resource == database.Server).Runtime;
                if (database.ExternalConnectionString is null)
                {
                    await database.EnsureCreatedAsync(cancellationToken);
                }

                return;
            case IInfrastructureResource when instance.Runtime == "external":
                instance.Logs.Add("external: nothing to start, using the configured connection string");
                return;
            case IInfrastructureResource infrastructure when _containers is not null:
                var containerName = $"otpauth-{state.Id}-{instance.Name}";
                await RemoveContainerAsync(containerName); // a leftover of the same name would block the run
                var containerSpec = infrastructure.GetContainerSpec(CreateContext(line => Log(instance, line)));
                instance.ContainerName = containerName;
                instance.Container = _containers;
                instance.DisplayEnvironment = Mask(containerSpec.Environment, containerSpec.SecretEnvironment ?? []);
                Launch(instance, _containers.RunCommand(containerName, containerSpec), cancellationToken);
                return;
            case IInfrastructureResource infrastructure:
                var spec = await infrastructure.GetProcessSpecAsync(CreateContext(line => Log(instance, line)), cancellationToken);
                Launch(instance, spec, cancellationToken);
                return;
            case ProjectResource project:
                var environment = ProjectEnvironment(project, instance);
                instance.Environment = environment;
                instance.DisplayEnvironment = Mask(environment, project.SecretVariables);
                if (!File.Exists(project.Metadata.TargetPath))
                {
                    throw new FileNotFoundException($"{project.Metadata.TargetPath} does not exist: build the solution first (dotnet build).");
                }

                Launch(instance, new ProcessSpec(_dotnetHost, [project.Metadata.TargetPath], environment, project.ProjectDirectory), cancellationToken);
                return;
            default:
                throw new NotSupportedException($"No runtime for a resource of type {instance.Resource.GetType().Name}.");
        }
    }

    private void Launch(ResourceInstance instance, ProcessSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // the application may be stopping: start nothing new
        instance.Process?.Dispose(); // the previous incarnation's handle and pipes
        var process = SupervisedProcess.Start(spec, (line, stream) => Log(instance, line, stream));
        instance.Process = process;
        instance.Pid = process.Pid;
        instance.ExitCode = null;
        _pidFiles.Record(instance.Name, process.Pid, instance.ContainerName);
        instance.ExitReported = process.Exited.ContinueWith(exit => OnExited(instance, process, exit.Result), TaskScheduler.Default);
    }

    private void OnExited(ResourceInstance instance, SupervisedProcess process, int exitCode)
    {
        if (instance.Process != process)
        {
            return; // an earlier incarnation of a restarted instance
        }

        instance.ExitCode = exitCode;
        instance.Health = HealthStates.Unhealthy;
        var stopping = _lifetime.IsCancellationRequested || instance.State == ResourceStates.Exited;
        instance.State = stopping || exitCode == 0 ? ResourceStates.Exited : ResourceStates.Failed;
        if (!stopping)
        {
            console.Host($"{instance.Name} exited with code {exitCode}.", exitCode == 0 ? ConsoleColor.DarkYellow : ConsoleColor.Red);
        }
    }

    private async Task WaitUntilReadyAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            if (instance.Process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"the process exited with code {exited.ExitCode} before it was ready.");
            }

            try
            {
                if (await ProbeAsync(instance, timeout.Token))
                {
                    return;
                }

                await Task.Delay(delay, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"not healthy within {options.StartTimeout.TotalSeconds:0} s.");
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 1000));
        }
    }

    private Task<bool> ProbeAsync(ResourceInstance instance, CancellationToken cancellationToken) => instance.Resource switch
    {
        PostgresDatabaseResource database => database.IsReadyAsync(cancellationToken),
        IInfrastructureResource infrastructure => infrastructure.IsReadyAsync(CreateContext(_ => { }), cancellationToken),
        ProjectResource => HealthProbes.HttpAsync(new Uri($"http://127.0.0.1:{instance.Ports["http"]}/health"), cancellationToken),
        _ => Task.FromResult(false),
    };

    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var instance in _instances.Where(i => i.State == ResourceStates.Running))
            {
                try
                {
                    instance.Health = await ProbeAsync(instance, cancellationToken) ? HealthStates.Healthy : HealthStates.Unhealthy;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // One broken probe must not end the watch over every other resource.
                    instance.Health = HealthStates.Unhealthy;
                    Log(instance, $"health probe failed: {e.GetType().Name}: {e.Message}", "stderr");
                }
            }
        }
    }

    private async Task StopInstanceAsync(ResourceInstance instance)
    {
        try
        {
            await StopInstanceCoreAsync(instance);
        }
        catch (Exception e)
        {
            console.Host($"{instance.Name}: stopping failed: {e.Message}", ConsoleColor.Red);
            Log(instance, $"stopping failed: {e.Message}", "stderr");
        }
    }

    private async Task StopInstanceCoreAsync(ResourceInstance instance)
    {
        var wasRunning = instance.State is ResourceStates.Running or ResourceStates.Starting;
        instance.State = ResourceStates.Exited;
        instance.Health = HealthStates.Unknown;
        if (instance.ContainerName is { } container && instance.Container is { } engine)
        {
            await ProcessRunner.RunAsync(engine.StopCommand(container, StopTimeout), _ => { }, CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default); // already gone is fine
        }

        if (instance.Process is { } process)
        {
            await process.StopAsync(StopTimeout);
            // Let the exit be recorded before anyone starts the instance again: a late OnExited would mark the
            // new incarnation exited (a restart through the resource API stops and starts at once).
            await Task.WhenAny(instance.ExitReported, Task.Delay(StopTimeout));
            if (wasRunning)
            {
                console.Host($"{instance.Name} stopped.", ConsoleColor.DarkGray);
            }
        }

        _pidFiles.Forget(instance.Name);
    }

    private Dictionary<string, string> ProjectEnvironment(ProjectResource project, ResourceInstance instance)
    {
        var environmentName = configuration["DOTNET_ENVIRONMENT"] ?? configuration["ASPNETCORE_ENVIRONMENT"] ?? "Development";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{instance.Ports["http"].ToString(CultureInfo.InvariantCulture)}",
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.Name}",
        };

        if (OtlpEndpoint is not null)
        {
            // Aspire's conventions: export to the AppHost, and every second rather than the SDK's 5 s (spans, logs)
            // and 60 s (metrics), so a developer sees a request in the dashboard right after making it.
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = OtlpEndpoint.ToString().TrimEnd('/');
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            environment["OTEL_TRACES_SAMPLER"] = "always_on";
            environment["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
        }

        foreach (var reference in project.References)
        {
            if (reference is IResourceWithConnectionString withConnectionString && withConnectionString.GetConnectionString() is { } connectionString)
            {
                environment[$"ConnectionStrings__{reference.Name}"] = connectionString;
            }

            if (reference is MailDevResource && configuration.GetSection("Smtp").Exists())
            {
                // Real SMTP settings replace the dev mail server; the Api reads them as Smtp:*.
                foreach (var setting in configuration.GetSection("Smtp").GetChildren().Where(s => s.Value is not null))
                {
                    environment[$"Smtp__{setting.Key}"] = setting.Value!;
                }

                project.SecretVariables.Add("Smtp__Password");
            }

            if (reference is ProjectResource service)
            {
                var replicas = _instances.Where(i => i.Resource == service).ToList();
                for (var i = 0; i < replicas.Count; i++)
                {
                    environment[$"services__{service.Name}__http__{i}"] = $"http://127.0.0.1:{replicas[i].Ports["http"].ToString(CultureInfo.InvariantCulture)}";
                }
            }
        }

        var context = new EnvironmentContext(environment, instance.Name);
        foreach (var callback in project.EnvironmentCallbacks)
        {
            callback(context);
        }

        return environment;
    }

    /// <summary>The environment as shown to people: secret values and passwords inside connection strings masked.</summary>
    internal static Dictionary<string, string> Mask(IReadOnlyDictionary<string, string> environment, IReadOnlyCollection<string> secrets) =>
        environment.ToDictionary(
            pair => pair.Key,
            pair => secrets.Contains(pair.Key, StringComparer.OrdinalIgnoreCase) || pair.Key.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase)
                ? "********"
                : UserInfoInUrl().Replace(PasswordInConnectionString().Replace(pair.Value, "$1********"), "$1********@"));

    [GeneratedRegex("\\x1B\\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    /// <summary>The password of <c>scheme://user:password@host</c> (e.g. an smtps:// connection string).</summary>
    [GeneratedRegex("(://[^/:@\\s]*:)[^@/\\s]*@")]
    private static partial Regex UserInfoInUrl();

    [GeneratedRegex("((?:Password|Pwd)\\s*=\\s*)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInConnectionString();

    private void Log(ResourceInstance instance, string line, string stream = "stdout")
    {
        line = AnsiEscape().Replace(line, string.Empty); // colour codes of the children's own consoles
        instance.Logs.Add(line, stream);
        console.Line(instance.Name, line);
    }

    private ResourceContext CreateContext(Action<string> log) =>
        new(configuration, state, _executables, _tools, _dotnetHost, log);

    private async Task RemoveContainerAsync(string containerName)
    {
        var engine = _containers ?? (_executables.Find("docker") is { } docker ? new ContainerRuntime(docker) : null);
        if (engine is not null)
        {
            await ProcessRunner.RunAsync(engine.RemoveCommand(containerName), _ => { }, CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The folder with the solution (and the tool manifest): the AppHost folder's nearest such ancestor.</summary>
    internal static string RepositoryRoot(string? projectDirectory)
    {
        var start = projectDirectory ?? AppContext.BaseDirectory;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (directory.EnumerateFiles("*.sln").Any() || directory.EnumerateFiles("*.slnx").Any() || Directory.Exists(Path.Combine(directory.FullName, ".git")))
            {
                return directory.FullName;
            }
        }

        return start;
    }

    /// <summary>The dotnet muxer of the running runtime (the AppHost may be started through its own apphost executable).</summary>
    private static string FindDotnetHost()
    {
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(fromRuntime) ? fromRuntime : "dotnet";
    }
}
