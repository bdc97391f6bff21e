using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// Whom the Api believes in <c>X-Forwarded-For</c>, with the framework's own switch on (the configuration key that
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> sets, as Aspire's publisher and deploy/k8s do). Focused rather than
/// through the running system: what matters is a peer outside loopback, and tests may only connect over 127.0.0.0/8, so
/// the Api's real service configuration is built and the framework's middleware run on a request from such a peer.
/// </summary>
public sealed class TrustedProxyTests
{
    private const string Stranger = "198.51.100.50";
    private const string ClaimedClient = "203.0.113.7";

    [Fact]
    public async Task With_the_framework_switch_on_and_no_proxy_configured_a_non_loopback_peer_cannot_name_the_client()
    {
        var client = await ClientSeenAsync([], peer: Stranger, forwardedFor: ClaimedClient);

        Assert.Equal(Stranger, client);
    }

    [Fact]
    public async Task With_the_framework_switch_on_and_no_proxy_configured_loopback_names_the_client_by_the_last_entry()
    {
        var client = await ClientSeenAsync([], peer: "127.0.0.1", forwardedFor: $"{ClaimedClient}, 198.51.100.9");

        Assert.Equal("198.51.100.9", client);
    }

    [Fact]
    public async Task With_a_network_configured_only_peers_in_it_are_believed()
    {
        Dictionary<string, string?> web = new() { ["ForwardedHeaders:KnownNetworks:0"] = "10.244.0.0/16" };

        Assert.Equal(ClaimedClient, await ClientSeenAsync(web, peer: "10.244.3.4", forwardedFor: ClaimedClient));
        Assert.Equal("127.0.0.1", await ClientSeenAsync(web, peer: "127.0.0.1", forwardedFor: ClaimedClient));
        Assert.Equal("10.1.2.3", await ClientSeenAsync(web, peer: "10.1.2.3", forwardedFor: ClaimedClient));
    }

    private static async Task<string?> ClientSeenAsync(Dictionary<string, string?> settings, string peer, string forwardedFor)
    {
        // "--ForwardedHeaders_Enabled=true" is the key ASPNETCORE_FORWARDEDHEADERS_ENABLED=true becomes; given as an
        // argument, not as a process-wide variable that tests running beside this one would see.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--ForwardedHeaders_Enabled=true"] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:otpauth"] = "Host=localhost;Database=otpauth;Username=u;Password=p",
            ["ConnectionStrings:redis"] = "localhost:6379",
            ["ConnectionStrings:mail"] = "smtp://localhost:1025",
            ["Jwt:KeyRingSecret"] = "0123456789abcdef0123456789abcdef",
            ["Jwt:Issuer"] = "https://auth.example.com",
            ["Otp:HashKey"] = "fedcba9876543210fedcba9876543210",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddApplicationServices();
        await using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>();
        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, options);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        await middleware.Invoke(context);
        return context.Connection.RemoteIpAddress?.ToString();
    }
}
