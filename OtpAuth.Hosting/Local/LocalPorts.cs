using System.Net;
using System.Net.Sockets;

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
}
