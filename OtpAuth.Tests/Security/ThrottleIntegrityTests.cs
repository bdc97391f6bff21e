using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Attacks on the login throttle (default settings: 5 failures answered at once, then 30 s doubling) and its known-network
/// exemption. A network counts apart from the account only after a real sign-in of the account from it; a password that
/// matches only a pending registration, a reset and a change plant nothing and forgive nothing a stranger spent. Networks
/// are played with <c>X-Forwarded-For</c> from loopback, which the Apis believe.
/// </summary>
public sealed class ThrottleIntegrityTests(OtpAuthSystem system) : IDisposable
{
    private const string StrangersNetwork = "198.51.100.41";
    private const string OwnersNetwork = "203.0.113.41";
    private const string NewNetwork = "192.0.2.41";
    private const string Guess = "a stranger's guess at a password";
    private const string Planted = "the stranger's own planted password";
    private const string NewPassword = "a brand new passphrase of mine";

    private readonly AuthClient _conceal = new(system, OtpAuthSystem.Conceal);
    private readonly AuthClient _api = new(system, "api");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_password_planted_by_registering_a_verified_address_does_not_reset_the_accounts_throttle()
    {
        var email = AuthClient.NewAddress();
        await _conceal.RegisterAndVerifyAsync(email);

        await GuessAsync(_conceal, email, times: 4);
        using (var registered = await _conceal.RegisterAsync(email, Planted))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        using (var planted = await LoginFromAsync(_conceal, StrangersNetwork, email, Planted))
        {
            await AuthClient.AssertProblemAsync(planted, HttpStatusCode.Forbidden, "Email not verified");
        }

        // The fifth wrong password is the fifth failure, as it would be without the planted one, and the account waits.
        await GuessAsync(_conceal, email, times: 1);
        using var next = await LoginFromAsync(_conceal, StrangersNetwork, email, Guess);
        await AuthClient.AssertProblemAsync(next, HttpStatusCode.TooManyRequests);
        using var elsewhere = await LoginFromAsync(_conceal, NewNetwork, email, AuthClient.Password);
        await AuthClient.AssertProblemAsync(elsewhere, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_login_with_a_pending_registrations_password_before_the_account_exists_makes_no_network_known()
    {
        var email = AuthClient.NewAddress();
        using (var planted = await _api.RegisterAsync(email, Planted))
        {
            Assert.Equal(HttpStatusCode.Accepted, planted.StatusCode);
        }

        using (var forbidden = await LoginFromAsync(_api, StrangersNetwork, email, Planted))
        {
            await AuthClient.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "Email not verified");
        }

        using var owner = new AuthClient(system, "api");
        await owner.RegisterAndVerifyAsync(email);

        await AssertStrangersGuessesCountAgainstTheAccountAsync(_api, email, AuthClient.Password);
    }

    [Fact]
    public async Task A_password_reset_makes_the_networks_that_signed_in_before_strangers_again()
    {
        var email = AuthClient.NewAddress();
        await _api.RegisterAndVerifyAsync(email);
        using (var thief = await LoginFromAsync(_api, StrangersNetwork, email, AuthClient.Password))
        {
            Assert.Equal(HttpStatusCode.OK, thief.StatusCode); // someone who knew the old password signed in from there
        }

        var mails = await _api.CountMailsAsync(email);
        using (var forgot = await PostFromAsync(_api, OwnersNetwork, "/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var code = await _api.WaitForNewCodeAsync(email, mails);
        using (var reset = await PostFromAsync(_api, OwnersNetwork, "/auth/password/reset", new { email, code, new_password = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        await AssertStrangersGuessesCountAgainstTheAccountAsync(_api, email, NewPassword);
    }

    [Fact]
    public async Task A_password_change_makes_the_networks_that_signed_in_before_strangers_again()
    {
        var email = AuthClient.NewAddress();
        await _api.RegisterAndVerifyAsync(email);
        using (var thief = await LoginFromAsync(_api, StrangersNetwork, email, AuthClient.Password))
        {
            Assert.Equal(HttpStatusCode.OK, thief.StatusCode);
        }

        using var owner = await LoginFromAsync(_api, OwnersNetwork, email, AuthClient.Password);
        var token = (await AuthClient.ReadJsonAsync(owner)).GetProperty("access_token").GetString();
        using (var change = await _api.SendAsync(HttpMethod.Post, "/auth/password/change", token,
            new { current_password = AuthClient.Password, new_password = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        await AssertStrangersGuessesCountAgainstTheAccountAsync(_api, email, NewPassword);
    }

    /// <summary>
    /// Five wrong passwords from the stranger's network, then the right one from a network the account never used: it
    /// waits only if the stranger's failures went to the account's count, i.e. their network is not a known one.
    /// </summary>
    private static async Task AssertStrangersGuessesCountAgainstTheAccountAsync(AuthClient client, string email, string rightPassword)
    {
        await GuessAsync(client, email, times: 5);
        using var elsewhere = await LoginFromAsync(client, NewNetwork, email, rightPassword);
        await AuthClient.AssertProblemAsync(elsewhere, HttpStatusCode.TooManyRequests);
    }

    private static async Task GuessAsync(AuthClient client, string email, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var wrong = await LoginFromAsync(client, StrangersNetwork, email, Guess);
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid email or password");
        }
    }

    private static Task<HttpResponseMessage> LoginFromAsync(AuthClient client, string network, string email, string password) =>
        PostFromAsync(client, network, "/auth/login", new { email, password });

    private static Task<HttpResponseMessage> PostFromAsync(AuthClient client, string network, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", network);
        return client.Http.SendAsync(request, Token);
    }

    public void Dispose()
    {
        _conceal.Dispose();
        _api.Dispose();
    }
}
