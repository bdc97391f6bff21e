namespace OtpAuth.Hosting.ApplicationModel;

/// <summary>A named part of the application: a server, a database, a project.</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>The value of <c>type</c> in the resource API: postgres, database, redis, mail, project.</summary>
    public abstract string Type { get; }

    /// <summary>Named network endpoints; ports are allocated when the application starts.</summary>
    public List<EndpointAnnotation> Endpoints { get; } = [];

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <summary>Resources whose connection strings or addresses this one is given.</summary>
    public List<Resource> References { get; } = [];

    /// <summary>Extra environment variables, computed at start (values may depend on allocated ports).</summary>
    public List<Action<EnvironmentContext>> EnvironmentCallbacks { get; } = [];

    public EndpointAnnotation GetEndpoint(string endpointName) =>
        Endpoints.FirstOrDefault(e => e.Name == endpointName)
        ?? throw new InvalidOperationException($"Resource '{Name}' has no endpoint named '{endpointName}'.");

    public override string ToString() => Name;
}

/// <summary>A resource other resources can be given a connection string for (ConnectionStrings__name).</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>The connection string, once the application has started (ports known).</summary>
    string? GetConnectionString();
}

/// <summary>A resource that runs as one or more OS processes or containers the orchestrator supervises.</summary>
public interface IResourceWithParent
{
    Resource Parent { get; }
}
