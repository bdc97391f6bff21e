using System.Net;
using System.Net.Http.Headers;
using OtpAuth.Hosting;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// Bound beyond loopback, the dashboard asks for the browser token the AppHost prints, as Aspire's does:
/// a cookie from <c>/login?t=</c> for browsers, <c>Authorization: Bearer</c> for scripts. An app with no resources suffices.
/// </summary>
public sealed class BrowserTokenTests : IAsyncLifetime
{
    private const string Token = "test-browser-token-0123456789abcdef";
    private DistributedApplication app = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Dashboard:Host"] = "0.0.0.0";
        builder.Configuration["Dashboard:BrowserToken"] = Token;
        app = await builder.BuildAsync();
        await app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Without_the_token_the_API_answers_401_and_the_page_sends_to_the_login()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.DashboardUrl };

        using var api = await http.GetAsync("/api/resources", TestContext.Current.CancellationToken);
        using var page = await http.GetAsync("/", TestContext.Current.CancellationToken);
        using var wrongLogin = await http.GetAsync("/login?t=wrong", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login.html", page.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongLogin.StatusCode);
        Assert.Equal(Token, app.DashboardBrowserToken);
    }

    [Fact]
    public async Task A_bearer_token_opens_the_API_to_scripts()
    {
        using var http = new HttpClient { BaseAddress = app.DashboardUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await http.GetAsync("/api/resources", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_login_link_sets_an_http_only_cookie_that_opens_the_dashboard()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = app.DashboardUrl };

        using var login = await http.GetAsync($"/login?t={Token}", TestContext.Current.CancellationToken);
        using var api = await http.GetAsync("/api/traces", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode); // redirected to the dashboard itself
        Assert.Equal("/", login.RequestMessage?.RequestUri?.AbsolutePath);
        var cookie = Assert.Single(cookies.GetAllCookies());
        Assert.True(cookie.HttpOnly);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }
}
