using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using OtpAuth.Hosting.Local;

namespace OtpAuth.Hosting.Redis;

/// <summary>Redis as a local process, in the shape of Aspire's <c>AddRedis</c> and <c>AddGarnet</c>.</summary>
public static class LocalRedisBuilderExtensions
{
    /// <summary>Adds <c>redis-server</c> from the search path when there is one, else Garnet from the tool manifest.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name)
    {
        if (new ProgramLocator(builder.Configuration).Find("redis-server") is not { } redisServer)
        {
            return builder.AddLocalGarnet(name);
        }

        // No persistence: codes and counters are short-lived by design, and nothing is written beside the AppHost.
        return builder.AddLocalRedis(name, redisServer, LocalRedisServer.RedisServer, () => [], ["--save", "", "--appendonly", "no"]);
    }

    /// <summary>Adds Garnet (Microsoft's Redis-compatible server), restored from the repository's tool manifest on first use.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalGarnet(this IDistributedApplicationBuilder builder, string name)
    {
        var garnet = new GarnetTool(builder.AppHostDirectory);
        string? serverAssembly = null;
        // --lua: the Api's atomic code checks are Lua scripts, which Garnet runs only when asked to.
        return builder.AddLocalRedis(name, "dotnet", LocalRedisServer.Garnet, () => [serverAssembly!], ["--lua"])
            .OnBeforeResourceStarted(async (_, _, cancellationToken) => serverAssembly = await garnet.GetServerAssemblyAsync(cancellationToken));
    }

    /// <summary>Whether Garnet can stand in for a missing <c>redis-server</c> (the tool manifest pins it).</summary>
    internal static bool CanRunGarnet(IDistributedApplicationBuilder builder) => new GarnetTool(builder.AppHostDirectory).IsPinned;

    /// <param name="leadingArguments">What comes before the options (Garnet's entry assembly, known once it is restored).</param>
    private static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name,
        string command, LocalRedisServer server, Func<string[]> leadingArguments, string[] options)
    {
        var redis = new LocalRedisResource(name, command, builder.AppHostDirectory, server);
        var port = LocalPorts.Allocate();

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, cancellationToken) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet."),
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithLoopbackEndpoint(LocalRedisResource.PrimaryEndpointName, port)
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey)
            .WithArgs(context =>
            {
                object[] arguments = [.. leadingArguments(), "--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), .. options];
                foreach (var argument in arguments)
                {
                    context.Args.Add(argument);
                }
            });
    }
}
