using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Sessions;

/// <summary>
/// Another service of the distributed application: a plain ASP.NET Core app whose JwtBearer knows only the Api's URL
/// as <c>Authority</c> and the audience. It finds the keys through discovery and accepts OtpAuth's tokens.
/// </summary>
public sealed class ExternalJwtBearerTests(OtpAuthSystem system) : IAsyncLifetime
{
    private readonly AuthClient _client = new(system);
    private WebApplication? _service;
    private HttpClient? _serviceClient;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication().AddJwtBearer(options =>
        {
            options.Authority = system.GetEndpoint("api").ToString().TrimEnd('/');
            options.Audience = "otpauth";
            options.RequireHttpsMetadata = false; // the dev Api is plain http on loopback
            options.MapInboundClaims = false;
        });
        builder.Services.AddAuthorization();
        _service = builder.Build();
        _service.UseAuthentication();
        _service.UseAuthorization();
        _service.MapGet("/whoami", (HttpContext context) => context.User.FindFirst("sub")?.Value).RequireAuthorization();
        await _service.StartAsync(Token);
        _serviceClient = new HttpClient { BaseAddress = new Uri(_service.Urls.First()) };
    }

    [Fact]
    public async Task A_JwtBearer_given_only_the_Authority_validates_OtpAuth_tokens_and_refuses_others()
    {
        var token = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());

        using var accepted = await WhoAmIAsync(token);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(TokenTests.Decode(token).Claims["sub"]!.GetValue<string>(), await accepted.Content.ReadAsStringAsync(Token));

        var parts = token.Split('.');
        using var tampered = await WhoAmIAsync($"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
    }

    [Fact]
    public async Task The_web_serves_the_same_keys_and_discovery_so_its_public_url_can_be_the_issuer()
    {
        using var web = system.CreateHttpClient("web");
        using var api = system.CreateHttpClient("api");

        Assert.Equal(await api.GetStringAsync("/.well-known/jwks.json", Token), await web.GetStringAsync("/.well-known/jwks.json", Token));
        Assert.Equal(await api.GetStringAsync("/.well-known/openid-configuration", Token), await web.GetStringAsync("/.well-known/openid-configuration", Token));
    }

    private Task<HttpResponseMessage> WhoAmIAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _serviceClient!.SendAsync(request, Token);
    }

    public async ValueTask DisposeAsync()
    {
        _serviceClient?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        _client.Dispose();
    }
}
