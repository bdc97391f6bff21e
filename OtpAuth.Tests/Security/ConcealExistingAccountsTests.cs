using System.Net;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// <c>Auth:ConcealExistingAccounts</c>, on for <see cref="OtpAuthSystem.Conceal"/>: register, verify, resend and login
/// answer a stranger alike whether or not the address has a verified account. That they also take the same time is
/// for a benchmark to measure, not for a test on a busy machine.
/// </summary>
public sealed class ConcealExistingAccountsTests(OtpAuthSystem system) : IDisposable
{
    private const string StrangersPassword = "a stranger's guess at a password";
    private const int Addresses = 4;
    private readonly AuthClient _client = new(system, OtpAuthSystem.Conceal);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registering_a_verified_address_answers_like_a_new_one_and_tells_the_owner()
    {
        var owner = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(owner);

        using var again = await _client.RegisterAsync(owner, StrangersPassword);
        using var fresh = await _client.RegisterAsync(AuthClient.NewAddress(), StrangersPassword);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        var freshBody = await fresh.Content.ReadAsStringAsync(Token);
        var freshEmail = JsonNode.Parse(freshBody)!["email"]!.GetValue<string>();
        Assert.Equal(Shape(freshBody).Replace(freshEmail, owner, StringComparison.Ordinal), Shape(await again.Content.ReadAsStringAsync(Token)));

        var notice = await _client.Mail.WaitForMessageAsync(owner, m => m.Subject.Contains("tried to register", StringComparison.Ordinal), Token);
        Assert.DoesNotMatch(@"\d{6}", notice.Text);
        using var login = await _client.LoginAsync(owner);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode); // the stranger's password replaced nothing
    }

    [Fact]
    public async Task Moving_an_account_to_another_accounts_address_answers_like_a_free_one_and_tells_that_owner()
    {
        var (owner, mover) = (AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(owner);
        await _client.RegisterAndVerifyAsync(mover);
        var session = await _client.SignInAsync(mover);
        var free = AuthClient.NewAddress();

        using var taken = await Account.AccountSteps.RequestChangeAsync(_client, session.AccessToken, owner);
        using var open = await Account.AccountSteps.RequestChangeAsync(_client, session.AccessToken, free);

        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        Assert.Equal(open.StatusCode, taken.StatusCode);
        var (a, b) = (await AuthClient.ReadJsonAsync(taken), await AuthClient.ReadJsonAsync(open));
        Assert.Equal(b.GetProperty("otp_expires_in").GetInt32(), a.GetProperty("otp_expires_in").GetInt32());
        Assert.Equal(b.GetProperty("code_length").GetInt32(), a.GetProperty("code_length").GetInt32());
        var notice = await _client.Mail.WaitForMessageAsync(owner, m => m.Subject.Contains("move an account to your", StringComparison.Ordinal), Token);
        Assert.DoesNotMatch(@"\b\d{6}\b", notice.Text);
        using var guessed = await Account.AccountSteps.VerifyChangeAsync(_client, session.AccessToken, a.GetProperty("change_id").GetString()!, "123456");
        await AuthClient.AssertProblemAsync(guessed, HttpStatusCode.BadRequest, "Invalid or expired code");
        using var me = await _client.MeAsync(session.AccessToken);
        Assert.Equal(mover, (await AuthClient.ReadJsonAsync(me)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task The_password_a_stranger_just_registered_logs_in_to_403_for_an_existing_address_as_for_a_new_one()
    {
        var existing = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(existing);
        var fresh = AuthClient.NewAddress();
        using (var a = await _client.RegisterAsync(existing, StrangersPassword))
        using (var b = await _client.RegisterAsync(fresh, StrangersPassword))
        {
            Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (a.StatusCode, b.StatusCode));
        }

        using var atExisting = await _client.LoginAsync(existing, StrangersPassword);
        using var atFresh = await _client.LoginAsync(fresh, StrangersPassword);

        await AuthClient.AssertProblemAsync(atExisting, HttpStatusCode.Forbidden, "Email not verified");
        await AuthClient.AssertProblemAsync(atFresh, HttpStatusCode.Forbidden, "Email not verified");
    }

    [Fact]
    public async Task Register_verify_resend_and_login_are_alike_in_status_and_body_for_existing_and_new_addresses()
    {
        var existing = new List<string>();
        for (var i = 0; i < Addresses; i++)
        {
            existing.Add(AuthClient.NewAddress());
            await _client.RegisterAndVerifyAsync(existing[^1]);
        }

        var fresh = Enumerable.Range(0, Addresses).Select(_ => AuthClient.NewAddress()).ToList();
        var calls = new (string Name, Func<string, Task<HttpResponseMessage>> Call)[]
        {
            ("register", email => _client.RegisterAsync(email, StrangersPassword)),
            ("verify", email => _client.VerifyAsync(email, "000000")),
            ("resend", email => _client.ResendAsync(email)),
            ("login", email => _client.LoginAsync(email, StrangersPassword)),
        };

        foreach (var (name, call) in calls)
        {
            for (var i = 0; i < existing.Count; i++)
            {
                using var atExisting = await call(existing[i]);
                using var atFresh = await call(fresh[i]);
                Assert.True(atExisting.StatusCode == atFresh.StatusCode, $"{name}: {atExisting.StatusCode} for an existing address, {atFresh.StatusCode} for a new one");
                Assert.Equal(
                    Shape(await atExisting.Content.ReadAsStringAsync(Token)).Replace(existing[i], "<email>", StringComparison.Ordinal),
                    Shape(await atFresh.Content.ReadAsStringAsync(Token)).Replace(fresh[i], "<email>", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>A body with what differs per call by design (a registration id, a trace id) taken out.</summary>
    private static string Shape(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        foreach (var perCall in new[] { "registration_id", "trace_id" })
        {
            if (json.ContainsKey(perCall))
            {
                json[perCall] = "…";
            }
        }

        return json.ToJsonString();
    }

    public void Dispose() => _client.Dispose();
}
