using System.Net;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary><c>Auth:ConcealExistingAccounts</c> is on for <see cref="OtpAuthSystem.Limits"/>.</summary>
[Collection(TightLimits.Name)]
public sealed class ConcealExistingAccountsTests(OtpAuthSystem system) : IDisposable
{
    private const string StrangersPassword = "a stranger's guess at a password";
    private readonly AuthClient _client = new(system, OtpAuthSystem.Limits + "-0");

    [Fact]
    public async Task Registering_a_verified_address_answers_like_a_new_one_and_tells_the_owner()
    {
        var token = TestContext.Current.CancellationToken;
        var owner = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(owner);
        await Task.Delay(TimeSpan.FromSeconds(1.2), token); // the variant's resend cooldown

        using var again = await _client.RegisterAsync(owner, StrangersPassword);
        using var fresh = await _client.RegisterAsync(AuthClient.NewAddress(), StrangersPassword);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        var againBody = JsonNode.Parse(await again.Content.ReadAsStringAsync(token))!.AsObject();
        var freshBody = JsonNode.Parse(await fresh.Content.ReadAsStringAsync(token))!.AsObject();
        Assert.Equal(owner, againBody["email"]!.GetValue<string>());
        Assert.Equal(freshBody["message"]!.GetValue<string>(), againBody["message"]!.GetValue<string>());
        Assert.Equal(freshBody["otp_expires_in"]!.GetValue<int>(), againBody["otp_expires_in"]!.GetValue<int>());

        var notice = await WaitForMessageAsync(owner, m => m.Subject.Contains("tried to register", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"\d{6}", notice.Text);
        using var login = await _client.LoginAsync(owner);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode); // the stranger's password replaced nothing
    }

    private async Task<MailMessage> WaitForMessageAsync(string address, Func<MailMessage, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            var found = (await _client.Mail.GetMessagesToAsync(address, TestContext.Current.CancellationToken)).FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"No matching message to {address} within 20 s.");
    }

    public void Dispose() => _client.Dispose();
}
