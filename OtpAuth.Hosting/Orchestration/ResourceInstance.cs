using OtpAuth.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>The states of the resource API (DESIGN.md §2).</summary>
public static class ResourceStates
{
    public const string Waiting = "waiting";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Exited = "exited";
    public const string Failed = "failed";
}

public static class HealthStates
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Unknown = "unknown";
}

/// <summary>One running unit of a resource: the resource itself, or one replica of a project.</summary>
public sealed class ResourceInstance
{
    private TaskCompletionSource _healthy = NewSignal();
    private string _state = ResourceStates.Waiting;
    private string _health = HealthStates.Unknown;

    internal ResourceInstance(Resource resource, string name, int? replicaIndex)
    {
        Resource = resource;
        Name = name;
        ReplicaIndex = replicaIndex;
    }

    public Resource Resource { get; }

    /// <summary><c>api</c>, or <c>api-1</c> for a replica.</summary>
    public string Name { get; }

    public int? ReplicaIndex { get; }

    public string? ReplicaOf => ReplicaIndex is null ? null : Resource.Name;

    /// <summary>container, process or external.</summary>
    public string Runtime { get; internal set; } = "process";

    public string State
    {
        get => _state;
        internal set => Set(ref _state, value);
    }

    public string Health
    {
        get => _health;
        internal set => Set(ref _health, value);
    }

    /// <summary>Raised when <see cref="State"/> or <see cref="Health"/> changes: the dashboard's live view listens.</summary>
    public event Action<ResourceInstance>? Changed;

    public int? Pid { get; internal set; }

    public int? ExitCode { get; internal set; }

    public DateTimeOffset? StartedAt { get; internal set; }

    public int Restarts { get; internal set; }

    /// <summary>Why the start failed, for people: the reason and the resource's last log lines.</summary>
    public string? Error { get; internal set; }

    public LogBuffer Logs { get; } = new();

    /// <summary>The ports of this instance by endpoint name (replicas each have their own).</summary>
    public Dictionary<string, int> Ports { get; } = [];

    /// <summary>The environment the process was given (values of secret variables masked).</summary>
    public IReadOnlyDictionary<string, string> DisplayEnvironment { get; internal set; } = new Dictionary<string, string>();

    /// <summary>The environment exactly as given, secrets included: for the tests of this repository only.</summary>
    internal IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();

    internal SupervisedProcess? Process { get; set; }

    /// <summary>Completes once the current process's exit has been recorded (state, exit code).</summary>
    internal Task ExitReported { get; set; } = Task.CompletedTask;

    /// <summary>Held by each stop or start of this instance (see Orchestrator.ControlAsync).</summary>
    internal SemaphoreSlim ControlLock { get; } = new(1, 1);

    internal string? ContainerName { get; set; }

    internal Runtimes.ContainerRuntime? Container { get; set; }

    /// <summary>Completes when the instance first becomes healthy; faults when its start fails.</summary>
    internal Task HealthyTask => _healthy.Task;

    public IEnumerable<(string Name, string Url)> Urls =>
        Resource.Endpoints.Where(e => Ports.ContainsKey(e.Name)).Select(e => (e.Name, $"{e.Scheme}://{e.Host}:{Ports[e.Name]}"));

    internal void MarkHealthy()
    {
        Health = HealthStates.Healthy;
        _healthy.TrySetResult();
    }

    internal void MarkFailed(string error)
    {
        State = ResourceStates.Failed;
        Health = HealthStates.Unhealthy;
        Error = error;
        _healthy.TrySetException(new ResourceStartException(Name, error));
    }

    /// <summary>A restarted instance is waited for afresh.</summary>
    internal void ResetHealthSignal()
    {
        if (_healthy.Task.IsCompleted)
        {
            _healthy = NewSignal();
        }
    }

    private void Set(ref string field, string value)
    {
        if (field != value)
        {
            field = value;
            Changed?.Invoke(this);
        }
    }

    private static TaskCompletionSource NewSignal()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.Task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed: no unobserved-task noise
        return signal;
    }
}

/// <summary>A resource did not start or become healthy; the message carries its last log lines.</summary>
public sealed class ResourceStartException(string resourceName, string message)
    : Exception($"Resource '{resourceName}' failed to start: {message}")
{
    public string ResourceName { get; } = resourceName;
}
