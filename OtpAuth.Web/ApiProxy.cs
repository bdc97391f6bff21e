using Yarp.ReverseProxy.Configuration;

namespace OtpAuth.Web;

/// <summary>
/// Forwards <c>/auth/*</c> (and <c>/.well-known/*</c>) to the <c>api</c> resource, so the page calls its own origin: no CORS, and the
/// API's address never appears in the browser. <c>http://api</c> is resolved by service discovery from
/// <c>services__api__http__0</c>, <c>__1</c>, … (Aspire's convention), load-balanced across replicas.
/// YARP's default transforms set (not append) <c>X-Forwarded-For</c> to <c>HttpContext.Connection.RemoteIpAddress</c>,
/// which the forwarded-headers middleware has already made the client the ingress named: the Api, trusting the Web
/// alone, gets exactly that address and nothing a client wrote.
/// </summary>
internal static class ApiProxy
{
    private const string ClusterId = "api";

    private static readonly RouteConfig[] Routes =
    [
        new()
        {
            RouteId = "auth",
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = "/auth/{**catch-all}" },
        },
        // The signing keys and the discovery document, so a deployment whose public URL is the Web's (the issuer
        // there) serves them at the issuer, where a JwtBearer with that Authority looks.
        new()
        {
            RouteId = "well-known",
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = "/.well-known/{**catch-all}" },
        },
    ];

    private static readonly ClusterConfig[] Clusters =
    [
        new()
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = "RoundRobin",
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["api"] = new() { Address = "http://api" },
            },
        },
    ];

    public static IHostApplicationBuilder AddApiProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromMemory(Routes, Clusters)
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static IEndpointConventionBuilder MapApiProxy(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapReverseProxy();
}
