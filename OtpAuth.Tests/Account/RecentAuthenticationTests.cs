using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Account;

/// <summary>
/// On <see cref="OtpAuthSystem.Fast"/> a sign-in counts as recent for 3 s: a session older than that cannot change the
/// address or delete the account, however often it was refreshed, until the person signs in again.
/// </summary>
public sealed class RecentAuthenticationTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system, OtpAuthSystem.Fast);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stale_session_must_sign_in_again_before_changing_the_address_or_deleting_the_account()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var stale = await _client.SignInAsync(email);
        await Task.Delay(TimeSpan.FromSeconds(4), Token);
        using (var refreshed = await _client.RefreshAsync(stale.RefreshToken)) // a refresh is no sign-in
        {
            stale = SignedIn.From(await AuthClient.ReadJsonAsync(refreshed));
        }

        var mails = await _client.CountMailsAsync(email);
        foreach (var attempt in new Func<Task<HttpResponseMessage>>[]
        {
            () => _client.RequestChangeAsync(stale.AccessToken, AuthClient.NewAddress()),
            () => _client.VerifyChangeAsync(stale.AccessToken, Guid.CreateVersion7().ToString(), "123456"),
            () => _client.SendAsync(HttpMethod.Post, "/auth/account/delete-code", stale.AccessToken),
            () => _client.DeleteAccountAsync(stale.AccessToken, new { password = AuthClient.Password }),
        })
        {
            using var refused = await attempt();
            var problem = await AuthClient.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
            Assert.Equal("urn:otpauth:problem:reauthentication-required", problem.GetProperty("type").GetString());
        }

        using (var stillSignedIn = await _client.MeAsync(stale.AccessToken)) // the session itself lives on
        {
            Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        }

        Assert.Equal(mails, await _client.CountMailsAsync(email));
        var fresh = await _client.SignInAsync(email);
        using var deleted = await _client.DeleteAccountAsync(fresh.AccessToken, new { password = AuthClient.Password });
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
