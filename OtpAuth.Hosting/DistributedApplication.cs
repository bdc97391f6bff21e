using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Dashboard;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Telemetry;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Hosting;

/// <summary>
/// The running application: starts every resource in order, serves the dashboard (resource API, OTLP receiver,
/// telemetry views), and stops everything
/// (projects first, then infrastructure) on Ctrl+C, SIGTERM or dispose. Shaped like Aspire's DistributedApplication.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly StateFolder _state;
    private readonly ConsoleOutput _console;
    private readonly Orchestrator _orchestrator;
    private DashboardServer? _dashboard;
    private FileStream? _stateLock;
    private OtlpHttpReceiver? _otlp;
    private bool _started;
    private bool _stopped;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        var options = builder.Options;
        _state = new StateFolder(options.StateDirectory ?? Path.Combine(Orchestrator.RepositoryRoot(options.ProjectDirectory), ".otpauth"));
        _console = new ConsoleOutput(options.WriteToConsole);
        Ports = new PortAllocator(options.RandomizePorts);
        _orchestrator = new Orchestrator(builder.Resources, builder.Configuration, options, _state, _console, Ports);
    }

    /// <summary>Creates the builder of an AppHost; call it from the AppHost's Program.cs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var appHostDirectory = ProjectDirectoryOf(Assembly.GetCallingAssembly());
        var options = TestingInterception.Current?.CreateOptions(args, appHostDirectory)
            ?? new DistributedApplicationOptions { Args = args, ProjectDirectory = appHostDirectory };
        return new DistributedApplicationBuilder(options);
    }

    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    internal PortAllocator Ports { get; }

    /// <summary>Every running unit: resources and replicas, with state, health and logs.</summary>
    public IReadOnlyList<ResourceInstance> Instances => _orchestrator.Instances;

    public IReadOnlyList<Resource> Resources => _builder.Resources;

    /// <summary>The dashboard's address (UI, resource API, telemetry API), once started.</summary>
    public Uri? DashboardUrl => _dashboard?.Url;

    /// <summary>The browser token the dashboard asks for when bound elsewhere than loopback; null on loopback.</summary>
    public string? DashboardBrowserToken => _dashboard?.Access.Token;

    /// <summary>Where the projects send OTLP (HTTP/protobuf), once started.</summary>
    public Uri? OtlpEndpoint => _otlp?.Endpoint;

    /// <summary>The traces, structured logs and metrics the projects sent, kept in memory with fixed caps.</summary>
    public TelemetryStore Telemetry { get; } = new();

    public string StateDirectory => _state.Path;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        _state.Create();
        _stateLock = _state.Lock();
        _state.ResolveParameters(_builder.Parameters, _builder.Configuration);
        var configuration = _builder.Configuration;
        var dashboardPort = int.TryParse(configuration["Dashboard:Port"], out var configured) ? configured : 18888;
        var otlpPort = int.TryParse(configuration["Dashboard:OtlpHttpPort"], out var configuredOtlp) ? configuredOtlp : 4318;
        _otlp = await OtlpHttpReceiver.StartAsync(Telemetry, Ports.Allocate(otlpPort));
        _orchestrator.OtlpEndpoint = _otlp.Endpoint;
        _dashboard = await DashboardServer.StartAsync(
            _orchestrator, Telemetry, Ports.Allocate(dashboardPort), configuration["Dashboard:Host"] ?? "127.0.0.1", configuration["Dashboard:BrowserToken"]);
        _console.Host($"OtpAuth AppHost: state in {_state.Path}; dashboard at {_dashboard.Url}; OTLP/HTTP at {_otlp.Endpoint}", ConsoleColor.White);
        if (_dashboard.LoginUrl is { } login)
        {
            _console.Host($"The dashboard listens beyond this machine and asks for a token: log in with {login}", ConsoleColor.Yellow);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await _orchestrator.StartAsync(cancellationToken);
        PrintSummary(started.Elapsed);
    }

    /// <summary>Starts, then runs until Ctrl+C or SIGTERM; exits non-zero when a resource fails to start.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await StartAsync(stop.Token);
            _console.Host("Press Ctrl+C to stop.", ConsoleColor.DarkGray);
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        catch (Exception e) when (e is ResourceStartException or InvalidOperationException)
        {
            _console.Host($"Start failed: {e.Message}", ConsoleColor.Red);
            Environment.ExitCode = 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C during start-up: stop what has started.
        }
        finally
        {
            _console.Host("Stopping…", ConsoleColor.DarkGray);
            await StopAsync(CancellationToken.None); // stop even when the run was cancelled
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we stop the children ourselves, in order
            stop.Cancel();
        }
    }

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;

        // The dashboard goes first, so no stop/start/restart request can race the shutdown.
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        await _orchestrator.StopAsync().WaitAsync(cancellationToken);
        _orchestrator.Dispose();
        if (_stateLock is not null)
        {
            await _stateLock.DisposeAsync();
        }

        if (_otlp is not null)
        {
            await _otlp.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await StopAsync();
        }

        if (_builder.Options.DeleteStateOnDispose && Directory.Exists(_state.Path))
        {
            Directory.Delete(_state.Path, recursive: true);
        }
    }

    /// <summary>The URL of an endpoint of a resource (the first replica's for a project with replicas).</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http")
    {
        var instance = _orchestrator.Find(resourceName)[0];
        return instance.Ports.TryGetValue(endpointName, out var port)
            ? new Uri($"{instance.Resource.GetEndpoint(endpointName).Scheme}://127.0.0.1:{port}")
            : throw new ArgumentException($"Resource '{resourceName}' has no endpoint '{endpointName}' running here.", nameof(endpointName));
    }

    /// <summary>An HttpClient whose base address is the resource's http endpoint.</summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "The caller owns the client, which owns its handler.")]
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http") =>
        new() { BaseAddress = GetEndpoint(resourceName, endpointName) };

    public Task<string?> GetConnectionStringAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var resource = _builder.Resources.FirstOrDefault(r => r.Name == resourceName)
            ?? throw new ArgumentException($"Unknown resource '{resourceName}'.", nameof(resourceName));
        return Task.FromResult(resource is IResourceWithConnectionString withConnectionString
            ? withConnectionString.GetConnectionString()
            : throw new ArgumentException($"Resource '{resourceName}' has no connection string.", nameof(resourceName)));
    }

    /// <summary>Waits until every instance of the resource is healthy; fails at once if it failed, or for an unknown name.</summary>
    public Task WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default) =>
        _orchestrator.WaitForHealthyAsync(resourceName, cancellationToken);

    /// <summary>The console lines captured from a resource (all its replicas), oldest first.</summary>
    public IReadOnlyList<LogEntry> GetLogs(string resourceName) => _orchestrator.LogsOf(resourceName);

    public Task StopResourceAsync(string resourceName) => _orchestrator.StopResourceAsync(resourceName);

    public Task StartResourceAsync(string resourceName, CancellationToken cancellationToken = default) =>
        _orchestrator.StartResourceAsync(resourceName, cancellationToken);

    private void PrintSummary(TimeSpan elapsed)
    {
        var lines = new List<string> { "", $"OtpAuth is running (all healthy in {elapsed.TotalSeconds:0.0} s):" };
        foreach (var instance in Instances)
        {
            var urls = instance.Urls.Select(u => u.Url).ToList();
            var where = urls.Count > 0 ? string.Join("  ", urls) : instance.Resource is IResourceWithParent p ? $"(on {p.Parent.Name})" : "";
            var hint = instance.Resource.Name switch
            {
                "api" => "  (docs: /docs)",
                "mail" => "  (inbox: the http URL)",
                _ => "",
            };
            lines.Add($"  {instance.Name,-10} {instance.Resource.Type,-9} {instance.Runtime,-9} {where}{hint}");
        }

        lines.Add($"  {"dashboard",-10} {"",-9} {"",-9} {_dashboard?.LoginUrl ?? _dashboard?.Url}");
        var forPeople = Instances
            .Where(i => i.ReplicaIndex is null or 0)
            .SelectMany(i => i.Resource.Endpoints.Where(e => e.IsExternal && i.Ports.ContainsKey(e.Name)).Select(e => $"{i.Resource.Name} http://localhost:{i.Ports[e.Name]}"))
            .ToList();
        if (forPeople.Count > 0)
        {
            lines.Add("");
            lines.Add($"Open in a browser: {string.Join(" · ", forPeople)}");
        }
        lines.Add("");
        _console.Host(string.Join(Environment.NewLine, lines), ConsoleColor.Green);
    }

    private static string? ProjectDirectoryOf(Assembly assembly) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "OtpAuth.Hosting.ProjectDirectory")?.Value;
}
