using System.Globalization;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Resources;

/// <summary>
/// A Redis server. As a process it is <c>redis-server</c> when one is installed, else Garnet (a Redis-compatible
/// server published as a .NET tool, pinned in the repository's tool manifest) so a machine with only the .NET SDK works.
/// </summary>
public sealed class RedisResource : InfrastructureResource, IResourceWithConnectionString, IInfrastructureResource
{
    public RedisResource(string name, bool garnetOnly) : base(name)
    {
        GarnetOnly = garnetOnly;
        Endpoints.Add(new EndpointAnnotation("tcp", "tcp", defaultPort: 6379, containerPort: 6379));
    }

    public override string Type => "redis";

    /// <summary>Always Garnet (AddGarnet), never redis-server.</summary>
    public bool GarnetOnly { get; }

    /// <summary>Which server the process runtime chose: redis-server or garnet (shown in logs and the resource API).</summary>
    public string? ServerKind { get; private set; }

    public string? GetConnectionString() =>
        ExternalConnectionString
        ?? (GetEndpoint("tcp").Port is { } port ? $"{GetEndpoint("tcp").Host}:{port.ToString(CultureInfo.InvariantCulture)}" : null);

    string? IInfrastructureResource.GetExternalConnectionString(ResourceContext context) =>
        context.Configuration[$"ConnectionStrings:{Name}"];

    ContainerSpec IInfrastructureResource.GetContainerSpec(ResourceContext context) => GarnetOnly
        ? new("ghcr.io/microsoft/garnet", [new(GetEndpoint("tcp").Port!.Value, 6379)], new Dictionary<string, string>(), [], Args: ["--lua"])
        : new("docker.io/library/redis:7-alpine", [new(GetEndpoint("tcp").Port!.Value, 6379)], new Dictionary<string, string>(), [],
            Args: ["redis-server", "--save", "", "--appendonly", "no"]);

    async Task<ProcessSpec> IInfrastructureResource.GetProcessSpecAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var port = GetEndpoint("tcp").Port!.Value.ToString(CultureInfo.InvariantCulture);
        var redisServer = GarnetOnly ? null : context.Executables.Find("redis-server");
        if (redisServer is not null)
        {
            ServerKind = "redis-server";
            // No persistence: codes and counters are short-lived by design.
            return new ProcessSpec(redisServer, ["--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        }

        var garnet = await context.Tools.FindGarnetAsync(cancellationToken) ?? throw new ResourceUnavailableException(
            $"Redis for '{Name}' is not available: no container engine, no `redis-server` on PATH, and the Garnet tool " +
            "could not be restored (`dotnet tool restore` at the repository root). Install redis-server, or set " +
            $"ConnectionStrings:{Name} to an existing server.");
        ServerKind = "garnet";
        context.Log(GarnetOnly ? $"using Garnet ({garnet})" : $"redis-server not found; using Garnet ({garnet})");
        // --lua: the Api's atomic code checks are Lua scripts.
        return new ProcessSpec(context.DotnetHost, [garnet, "--port", port, "--bind", "127.0.0.1", "--lua"]);
    }

    Task<bool> IInfrastructureResource.IsReadyAsync(ResourceContext context, CancellationToken cancellationToken) =>
        HealthProbes.RedisAsync(GetConnectionString()!, cancellationToken);
}

public static class RedisBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(WithPort(new RedisResource(name, garnetOnly: false), port));

    /// <summary>A Redis-compatible Garnet server (Aspire.Hosting.Garnet's shape).</summary>
    public static IResourceBuilder<RedisResource> AddGarnet(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(WithPort(new RedisResource(name, garnetOnly: true), port));

    private static RedisResource WithPort(RedisResource resource, int? port)
    {
        if (port is { } fixedPort)
        {
            resource.GetEndpoint("tcp").DefaultPort = fixedPort;
        }

        return resource;
    }
}
