using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The client address through the chain client → Web → Api, as the running system shows it. The per-client limit of
/// forgot-password (<see cref="OtpAuthSystem.ForgotPasswordPerIp"/> an hour) on <see cref="OtpAuthSystem.Rotation"/>,
/// which runs with <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> and no proxy configured, so it believes loopback
/// alone; and the login throttle's known networks on "api" (5 failures free, then a wait, except from a network the
/// account signed in from) behind the Web, which believes loopback, and behind <see cref="OtpAuthSystem.EdgeWeb"/>,
/// which believes only a network no test connects from.
/// </summary>
public sealed class ForwardedClientTests(OtpAuthSystem system) : IDisposable
{
    private const string WrongPassword = "a stranger's guess at a password";

    private readonly HttpClient _proxied = system.CreateHttpClient(OtpAuthSystem.Rotation);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Behind_a_proxy_that_appends_the_client_is_the_last_entry_not_the_one_the_client_wrote()
    {
        // The client wrote 203.0.113.7; the proxy on loopback appended the peer it saw, 198.51.100.9.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= OtpAuthSystem.ForgotPasswordPerIp; i++)
        {
            statuses.Add(await ForgotAsync("203.0.113.7, 198.51.100.9"));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Accepted, OtpAuthSystem.ForgotPasswordPerIp), HttpStatusCode.TooManyRequests], statuses);
        // 198.51.100.9 has spent its hour; 203.0.113.7, which the proxy only passed on, has not spent anything.
        Assert.Equal(HttpStatusCode.Accepted, await ForgotAsync("203.0.113.7"));
    }

    [Fact]
    public async Task A_client_that_writes_a_new_address_per_request_is_still_limited_as_itself()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 30; i++)
        {
            statuses.Add(await ForgotAsync($"203.0.113.{100 + i}, 198.51.100.19"));
        }

        Assert.Equal(
            [.. Enumerable.Repeat(HttpStatusCode.Accepted, OtpAuthSystem.ForgotPasswordPerIp), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 30 - OtpAuthSystem.ForgotPasswordPerIp)],
            statuses);
    }

    [Fact]
    public async Task The_Web_hands_the_Api_the_client_address_it_believed()
    {
        const string ownersNetwork = "203.0.113.61";
        var email = AuthClient.NewAddress();
        using var api = new AuthClient(system, "api");
        await api.RegisterAndVerifyAsync(email);

        // The owner signs in through the Web, which believes its loopback peer: the Api marks 203.0.113.61 as known.
        using var web = new AuthClient(system, "web", clientIp: ownersNetwork);
        using (var signedIn = await web.LoginAsync(email))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        await LockOutStrangersAsync(email);
        using var fromOwnersNetwork = new AuthClient(system, "api", clientIp: ownersNetwork);
        using var owner = await fromOwnersNetwork.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task A_Web_that_does_not_trust_its_peer_hands_the_Api_the_peer_not_the_header()
    {
        const string claimedNetwork = "203.0.113.62";
        var email = AuthClient.NewAddress();
        using var api = new AuthClient(system, "api");
        await api.RegisterAndVerifyAsync(email);

        // Through a Web that trusts only 10.99.0.0/16 the header is not believed: the Api sees the Web's peer (loopback).
        using var edge = new AuthClient(system, OtpAuthSystem.EdgeWeb, clientIp: claimedNetwork);
        using (var signedIn = await edge.LoginAsync(email))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }

        await LockOutStrangersAsync(email);
        using var fromClaimedNetwork = new AuthClient(system, "api", clientIp: claimedNetwork);
        using var claimed = await fromClaimedNetwork.LoginAsync(email);
        Assert.Equal(HttpStatusCode.TooManyRequests, claimed.StatusCode);
        using var loopback = await api.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
    }

    /// <summary>Wrong passwords from a stranger's network until the account's count answers 429 to new networks.</summary>
    private async Task LockOutStrangersAsync(string email)
    {
        using var stranger = new AuthClient(system, "api", clientIp: "198.51.100.60");
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await stranger.LoginAsync(email, WrongPassword);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await stranger.LoginAsync(email, WrongPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
    }

    private async Task<HttpStatusCode> ForgotAsync(string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/password/forgot")
        {
            Content = JsonContent.Create(new { email = AuthClient.NewAddress() }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await _proxied.SendAsync(request, Token);
        return response.StatusCode;
    }

    public void Dispose() => _proxied.Dispose();
}
