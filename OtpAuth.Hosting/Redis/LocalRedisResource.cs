using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Redis;

/// <summary>Which program serves a <see cref="LocalRedisResource"/>.</summary>
public enum LocalRedisServer
{
    /// <summary><c>redis-server</c> from the machine.</summary>
    RedisServer,

    /// <summary>Garnet, Microsoft's Redis-compatible server, from the .NET tool pinned in the repository's tool manifest.</summary>
    Garnet,
}

/// <summary>
/// A Redis server as a local process on loopback, without persistence (codes and counters are short-lived by design):
/// <c>redis-server</c> when the machine has one, else Garnet, so a machine with only the .NET SDK can run OtpAuth.
/// The connection string has Aspire's Redis form, <c>host:port</c>.
/// </summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, LocalRedisServer server)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    public LocalRedisServer Server { get; } = server;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}
