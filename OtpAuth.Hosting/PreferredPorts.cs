using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;

namespace OtpAuth.Hosting;

/// <summary>
/// The fixed addresses people and scripts rely on (web 5500, api 8000, inbox 1080, SMTP 1025, dashboard
/// 18888). A busy one is replaced by a free one, and the console says so; under test every port is random anyway.
/// </summary>
public static class PreferredPorts
{
    private static readonly string[] DashboardUrlKeys =
        ["ASPNETCORE_URLS", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"];

    /// <summary><paramref name="port"/> when it is free on loopback, else a free one; null under test (Aspire picks at random).</summary>
    public static int? PreferredPort(this IDistributedApplicationBuilder builder, int port, string resourceName)
    {
        if (RandomizesPorts(builder))
        {
            return null;
        }

        return FreeOr(port, resourceName);
    }

    /// <summary>Moves the dashboard's URLs (from the launch profile) off ports another program holds.</summary>
    public static IDistributedApplicationBuilder UseFreeDashboardPorts(this IDistributedApplicationBuilder builder)
    {
        if (RandomizesPorts(builder))
        {
            return builder;
        }

        foreach (var key in DashboardUrlKeys)
        {
            if (builder.Configuration[key] is { } url && !url.Contains(';', StringComparison.Ordinal)
                && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                var port = FreeOr(uri.Port, "dashboard");
                if (port != uri.Port)
                {
                    builder.Configuration[key] = new UriBuilder(uri) { Port = port }.Uri.ToString().TrimEnd('/');
                }
            }
        }

        return builder;
    }

    private static bool RandomizesPorts(IDistributedApplicationBuilder builder) =>
        bool.TryParse(builder.Configuration["DcpPublisher:RandomizePorts"], out var randomize) && randomize;

    private static int FreeOr(int port, string resourceName)
    {
        if (IsFree(port))
        {
            return port;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var free = ((IPEndPoint)listener.LocalEndpoint).Port;
        Console.WriteLine($"info: Port {port} for '{resourceName}' is in use by another program; '{resourceName}' gets port {free} instead.");
        return free;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
