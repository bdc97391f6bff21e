using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which peer may name the client in <c>X-Forwarded-For</c>, the same way for every OtpAuth service: only the proxies in
/// <c>ForwardedHeaders:KnownProxies</c> and the networks in <c>ForwardedHeaders:KnownNetworks</c>, or loopback alone
/// when neither is set; <c>ForwardedHeaders:ForwardLimit</c> entries (1 by default) are taken from the end of the header.
/// The Web names its ingress there, the Api names the Web. The forwarded-headers middleware runs once, where the service's
/// Program.cs puts it (<see cref="UseTrustedProxies"/>).
/// </summary>
public static class TrustedProxies
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// The framework's own switch, set by <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> (Aspire's publisher sets it on every
    /// project). When true the framework clears the trusted proxies and networks, so anyone's header would be believed, and
    /// its startup filter adds a second pass of the middleware, which would consume the entry the proxy before ours wrote.
    /// The settings above decide trust here, so the switch is turned off whatever the environment says.
    /// </summary>
    public const string FrameworkSwitch = "ForwardedHeaders_Enabled";

    public static TBuilder AddTrustedProxies<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddInMemoryCollection([new(FrameworkSwitch, "false")]);

        var section = builder.Configuration.GetSection(SectionName);
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        var forwardLimit = section.GetValue("ForwardLimit", 1);
        var knownProxies = proxies.Select(proxy => IPAddress.TryParse(proxy, out var address)
            ? address
            : throw new InvalidOperationException($"{SectionName}:KnownProxies has '{proxy}', which is not an IP address.")).ToArray();
        var knownNetworks = networks.Select(network => System.Net.IPNetwork.TryParse(network, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"{SectionName}:KnownNetworks has '{network}', which is not a network such as 10.244.0.0/16.")).ToArray();
        if (forwardLimit < 1)
        {
            throw new InvalidOperationException($"{SectionName}:ForwardLimit must be at least 1.");
        }

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only X-Forwarded-For: the scheme and host are not used for anything security-relevant here.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.ForwardLimit = forwardLimit;

            // Set in full rather than left at the framework's defaults, so no other configuration of these options (the
            // framework's, when its switch is on) decides whom the service believes.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            if (knownProxies.Length == 0 && knownNetworks.Length == 0)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("127.0.0.0/8"));
                options.KnownProxies.Add(IPAddress.IPv6Loopback);
                return;
            }

            foreach (var proxy in knownProxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in knownNetworks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    /// <summary>The one pass of the forwarded-headers middleware; first in the pipeline, so everything after sees the client.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
