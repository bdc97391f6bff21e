using System.Net;
using System.Net.Sockets;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// Chooses host ports: the default people know when it is free, else the next free one (people), or any free
/// port at random (tests). Ports handed out in this run are remembered so two endpoints never get the same one.
/// </summary>
public sealed class PortAllocator(bool randomize)
{
    private readonly HashSet<int> _taken = [];
    private readonly Lock _lock = new();

    public int Allocate(int defaultPort)
    {
        lock (_lock)
        {
            var port = randomize ? RandomFreePort() : NextFreeFrom(defaultPort);
            _taken.Add(port);
            return port;
        }
    }

    private int NextFreeFrom(int port)
    {
        while (_taken.Contains(port) || !IsFree(port))
        {
            port++;
        }

        return port;
    }

    /// <summary>
    /// A free port from 20000–32767: below Linux's ephemeral range (32768–60999), so the outgoing connections a test
    /// run opens by the hundred cannot take a port between this choice and the child binding it.
    /// </summary>
    private int RandomFreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32768);
            if (!_taken.Contains(port) && IsFree(port))
            {
                return port;
            }
        }
    }

    /// <summary>Free on loopback and on every interface (a server bound to 0.0.0.0 also holds the port).</summary>
    public static bool IsFree(int port) => CanBind(IPAddress.Loopback, port) && CanBind(IPAddress.Any, port);

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
