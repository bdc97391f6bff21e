using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Recovery;

/// <summary>
/// Forgot-password answers 202 for every address and leaves the same state behind, also when the reset mail of an
/// account cannot go out: the next request for an account and for no account is answered alike. Stops the shared mail
/// server, so it runs with nothing beside it.
/// </summary>
[Collection(DependencyOutages.Name)]
public sealed class ForgotPasswordSameStateTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task When_the_reset_mail_cannot_go_out_the_next_request_is_answered_alike_for_an_account_and_for_none()
    {
        var account = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(account);
        var nobody = AuthClient.NewAddress();

        await system.StopResourceAsync("mail", Token);
        HttpStatusCode[] again;
        try
        {
            foreach (var email in new[] { account, nobody })
            {
                using var forgot = await _client.PostAsync("/auth/password/forgot", new { email });
                Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
            }

            // The worker takes the account's job at once and fails to mail it.
            await Task.Delay(TimeSpan.FromSeconds(3), Token);
            again = await Task.WhenAll(new[] { account, nobody }.Select(async email =>
            {
                using var response = await _client.PostAsync("/auth/password/forgot", new { email });
                return response.StatusCode;
            }));
        }
        finally
        {
            await system.StartResourceAsync("mail", Token);
            await system.WaitForResourceHealthyAsync("mail", Token);
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], again);
    }

    public void Dispose() => _client.Dispose();
}
