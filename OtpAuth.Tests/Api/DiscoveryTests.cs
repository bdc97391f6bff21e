using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// The discovery document names only the configured issuer: a request's Host header never becomes a URL in it. On
/// "api" the issuer is its URL; <see cref="OtpAuthSystem.Burst"/> runs with <c>Jwt:Issuer=otpauth</c> (the Development
/// default of appsettings.json), which names no URL to publish keys under.
/// </summary>
public sealed class DiscoveryTests(OtpAuthSystem system)
{
    private const string ForgedHost = "attacker.example";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_forged_Host_header_does_not_appear_in_the_discovery_document()
    {
        using var http = system.CreateHttpClient("api");
        using var response = await http.SendAsync(WithForgedHost(), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.DoesNotContain(ForgedHost, body, StringComparison.OrdinalIgnoreCase);
        var discovery = JsonDocument.Parse(body).RootElement;
        var issuer = discovery.GetProperty("issuer").GetString()!.TrimEnd('/');
        Assert.Equal($"{issuer}/.well-known/jwks.json", discovery.GetProperty("jwks_uri").GetString());
    }

    [Fact]
    public async Task An_issuer_that_is_not_a_URL_publishes_no_discovery_document_rather_than_one_built_from_Host()
    {
        using var http = system.CreateHttpClient(OtpAuthSystem.Burst);
        using var response = await http.SendAsync(WithForgedHost(), Token);

        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.DoesNotContain(ForgedHost, body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Contains("Jwt:Issuer", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage WithForgedHost()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Host = ForgedHost;
        return request;
    }
}
