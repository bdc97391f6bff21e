using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Local;

/// <summary>
/// Ports for local servers that Aspire's orchestrator does not proxy. A proxy in front of a stopped PostgreSQL still
/// accepts connections and leaves clients waiting for their connect timeout; without it a stopped server refuses at
/// once, as it would in production, and every command saves a hop.
/// </summary>
internal static class LocalPorts
{
    /// <summary>A port that is free on loopback now (the OS picks it; the server binds it moments later).</summary>
    public static int Allocate()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// An endpoint on <paramref name="port"/> that the server listens on itself, not through DCP's proxy, named by the
    /// address the server binds (127.0.0.1), so clients never try ::1 first.
    /// </summary>
    public static IResourceBuilder<T> WithLoopbackEndpoint<T>(this IResourceBuilder<T> builder, string name, int port, string? scheme = null, string? env = null)
        where T : IResourceWithEndpoints =>
        builder.WithEndpoint(port: port, targetPort: port, name: name, scheme: scheme, env: env, isProxied: false)
            .WithEndpoint(name, endpoint => endpoint.TargetHost = "127.0.0.1");
}
