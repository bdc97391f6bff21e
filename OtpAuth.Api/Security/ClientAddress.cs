using System.Net;
using System.Net.Sockets;

namespace OtpAuth.Api.Security;

/// <summary>
/// Which client a request comes from, for rate limits and security logs. The peer address of the connection, or the
/// address a trusted proxy put in <c>X-Forwarded-For</c>: <c>TrustedProxies.AddTrustedProxies</c> (ServiceDefaults) lets
/// the forwarded-headers middleware believe only the proxies in <c>ForwardedHeaders:KnownProxies</c> /
/// <c>ForwardedHeaders:KnownNetworks</c> (loopback when neither is set, for the Web frontend on the same machine).
/// </summary>
public static class ClientAddress
{
    /// <summary>
    /// The client as rate limits and security logs name it: an IPv4 address as is, an IPv6 address as its /64 network
    /// (one subscriber usually holds a whole /64, so counting single IPv6 addresses would give an attacker 2^64 buckets).
    /// "unknown" without a peer.
    /// </summary>
    public static string For(HttpContext context) => NetworksOf(context)[0].Key;

    /// <summary>
    /// Every network a limit counts the client in, narrowest first: an IPv4 address alone; an IPv6 client as its /64,
    /// /56 and /48 (a site usually holds a /48: 65,536 /64s, which would otherwise be as many fresh budgets).
    /// </summary>
    public static IReadOnlyList<ClientNetwork> NetworksOf(HttpContext context) => NetworksOf(context.Connection.RemoteIpAddress);

    public static IReadOnlyList<ClientNetwork> NetworksOf(IPAddress? address)
    {
        if (address is null)
        {
            return [new ClientNetwork("unknown", ClientNetworkSize.Client)];
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily != AddressFamily.InterNetworkV6
            ? [new ClientNetwork(address.ToString(), ClientNetworkSize.Client)]
            : [Prefix(address, 64, ClientNetworkSize.Client), Prefix(address, 56, ClientNetworkSize.Site), Prefix(address, 48, ClientNetworkSize.Allocation)];
    }

    private static ClientNetwork Prefix(IPAddress address, int bits, ClientNetworkSize size)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[(bits / 8)..].Clear();
        return new ClientNetwork($"{new IPAddress(bytes)}/{bits}", size);
    }
}

/// <summary>How much of the internet a <see cref="ClientNetwork"/> covers, for limits that grow with it.</summary>
public enum ClientNetworkSize
{
    /// <summary>One IPv4 address or one IPv6 /64: one subscriber.</summary>
    Client,

    /// <summary>An IPv6 /56: a typical home or small office allocation.</summary>
    Site,

    /// <summary>An IPv6 /48: a typical site or provider customer allocation.</summary>
    Allocation,
}

/// <summary>One network a client belongs to: its key in limit counters and logs, and its size.</summary>
public readonly record struct ClientNetwork(string Key, ClientNetworkSize Size);
