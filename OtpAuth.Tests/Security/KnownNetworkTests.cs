using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The login throttle's exemption for known networks (<c>Login:KnownClientDays</c>) on "api", whose login settings are
/// the defaults (5 failures free, then 30 s). "api" believes <c>X-Forwarded-For</c> from loopback (no
/// <c>ForwardedHeaders</c> setting, so the framework's default), and the tests connect over loopback: the header's
/// address is the client IP the throttle sees, so one test can play the owner and a stranger.
/// </summary>
public sealed class KnownNetworkTests(OtpAuthSystem system) : IDisposable
{
    private const string OwnersNetwork = "203.0.113.10";
    private const string StrangersNetwork = "198.51.100.20";
    private const string NewNetwork = "192.0.2.30";
    private const string WrongPassword = "a stranger's guess at a password";

    private readonly AuthClient _client = new(system, "api");

    [Fact]
    public async Task A_strangers_wrong_passwords_do_not_lock_the_owner_out_of_a_network_they_logged_in_from_but_do_lock_new_networks()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        using (var first = await LoginFromAsync(OwnersNetwork, email, AuthClient.Password))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The stranger: 5 wrong passwords are answered at once, the next try waits (30 s by default).
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await LoginFromAsync(StrangersNetwork, email, WrongPassword);
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid email or password");
        }

        using (var strangerThrottled = await LoginFromAsync(StrangersNetwork, email, WrongPassword))
        {
            await AuthClient.AssertProblemAsync(strangerThrottled, HttpStatusCode.TooManyRequests);
            var wait = strangerThrottled.Headers.RetryAfter?.Delta;
            Assert.NotNull(wait);
            Assert.InRange(wait.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        }

        // A network the account never logged in from shares the account's count: even the right password waits.
        // (Asked before the owner's success below, which clears the account's count.)
        using (var newNetwork = await LoginFromAsync(NewNetwork, email, AuthClient.Password))
        {
            await AuthClient.AssertProblemAsync(newNetwork, HttpStatusCode.TooManyRequests);
            Assert.NotNull(newNetwork.Headers.RetryAfter?.Delta);
        }

        // The owner, from the network they logged in from before, keeps a count of their own.
        using var owner = await LoginFromAsync(OwnersNetwork, email, AuthClient.Password);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.False(string.IsNullOrEmpty((await AuthClient.ReadJsonAsync(owner)).GetProperty("access_token").GetString()));
    }

    private Task<HttpResponseMessage> LoginFromAsync(string network, string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = JsonContent.Create(new { email, password }),
        };
        request.Headers.Add("X-Forwarded-For", network);
        return _client.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _client.Dispose();
}
