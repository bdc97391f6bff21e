using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Resources;

/// <summary>
/// A server the AppHost can provide three ways (DESIGN.md §2): as a container, as a local process, or as an
/// external server named by configuration. Each resource kind says how it does each; the orchestrator picks.
/// </summary>
internal interface IInfrastructureResource
{
    /// <summary>A connection string configured for this resource: when present nothing is started.</summary>
    string? GetExternalConnectionString(ResourceContext context);

    ContainerSpec GetContainerSpec(ResourceContext context);

    /// <summary>The local process to run; throws <see cref="ResourceUnavailableException"/> when its binaries are missing.</summary>
    Task<ProcessSpec> GetProcessSpecAsync(ResourceContext context, CancellationToken cancellationToken);

    /// <summary>Readiness: true once the server answers its protocol's simplest request.</summary>
    Task<bool> IsReadyAsync(ResourceContext context, CancellationToken cancellationToken);
}

/// <summary>The common part of the infrastructure resources: whether configuration named an existing server instead.</summary>
public abstract class InfrastructureResource(string name) : Resource(name)
{
    /// <summary>The configured connection string when the server is external (nothing is started), else null.</summary>
    internal string? ExternalConnectionString { get; set; }
}

/// <summary>A resource cannot be provided on this machine; the message says what would provide it.</summary>
public sealed class ResourceUnavailableException(string message) : Exception(message);
