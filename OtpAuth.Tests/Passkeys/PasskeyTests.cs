using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using OtpAuth.Tests.Mfa;

namespace OtpAuth.Tests.Passkeys;

/// <summary>Passkeys through the real Api, answered by <see cref="SoftwareAuthenticator"/> for the Web's origin.</summary>
public sealed class PasskeyTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);
    private readonly string _origin = system.GetEndpoint("web").GetLeftPart(UriPartial.Authority);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_passkey_added_to_an_account_signs_in_alone_and_its_answer_works_once()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);
        using var authenticator = new SoftwareAuthenticator(_origin);
        var passkeyId = await RegisterAsync(access, authenticator, "My laptop");

        using (var list = await _client.SendAsync(HttpMethod.Get, "/auth/passkeys", access))
        {
            var listed = Assert.Single((await AuthClient.ReadJsonAsync(list)).EnumerateArray());
            Assert.Equal("My laptop", listed.GetProperty("name").GetString());
            Assert.Equal(passkeyId, listed.GetProperty("id").GetString());
        }

        await _client.Mail.WaitForMessageAsync(email, m => m.Subject.Contains("passkey was added", StringComparison.Ordinal), Token);
        var (flowId, options) = await SignInOptionsAsync();
        Assert.Equal(0, options.GetProperty("allowCredentials").GetArrayLength()); // discoverable: no address typed
        var answer = authenticator.Get(options);
        using (var signedIn = await SignInAsync(flowId, answer))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            var tokens = SignedIn.From(await AuthClient.ReadJsonAsync(signedIn));
            var claims = AuthClient.ClaimsOf(tokens.AccessToken);
            Assert.Equal(["hwk", "user", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
            using var me = await _client.MeAsync(tokens.AccessToken);
            Assert.Equal(email, (await AuthClient.ReadJsonAsync(me)).GetProperty("email").GetString());
        }

        using (var replayed = await SignInAsync(flowId, answer))
        {
            await AuthClient.AssertProblemAsync(replayed, HttpStatusCode.Unauthorized);
        }

        var (otherFlow, _) = await SignInOptionsAsync();
        using var elsewhere = await SignInAsync(otherFlow, answer); // the answer names the first flow's challenge
        await AuthClient.AssertProblemAsync(elsewhere, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_cloned_authenticator_whose_counter_goes_back_or_a_wrong_user_handle_is_refused()
    {
        var access = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        using var authenticator = new SoftwareAuthenticator(_origin);
        await RegisterAsync(access, authenticator, "Security key");
        authenticator.Counter = 10;
        var (first, options) = await SignInOptionsAsync();
        using (var ok = await SignInAsync(first, authenticator.Get(options)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        authenticator.Counter = 5; // a copy of the key, behind the original
        var (second, secondOptions) = await SignInOptionsAsync();
        using (var cloned = await SignInAsync(second, authenticator.Get(secondOptions)))
        {
            await AuthClient.AssertProblemAsync(cloned, HttpStatusCode.Unauthorized);
        }

        var other = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        using var otherAuthenticator = new SoftwareAuthenticator(_origin);
        await RegisterAsync(other, otherAuthenticator, "Other");
        authenticator.Counter = 100;
        authenticator.UserHandle = otherAuthenticator.UserHandle; // claims to be the other account
        var (third, thirdOptions) = await SignInOptionsAsync();
        using var lying = await SignInAsync(third, authenticator.Get(thirdOptions));
        await AuthClient.AssertProblemAsync(lying, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_account_cannot_remove_another_accounts_passkey_and_removes_its_own()
    {
        var owner = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        using var authenticator = new SoftwareAuthenticator(_origin);
        var passkeyId = await RegisterAsync(owner, authenticator, "Phone");
        var stranger = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());

        using (var foreign = await _client.SendAsync(HttpMethod.Delete, $"/auth/passkeys/{passkeyId}", stranger))
        {
            await AuthClient.AssertProblemAsync(foreign, HttpStatusCode.NotFound);
        }

        using (var own = await _client.SendAsync(HttpMethod.Delete, $"/auth/passkeys/{passkeyId}", owner))
        {
            Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
        }

        var (flowId, options) = await SignInOptionsAsync();
        using var gone = await SignInAsync(flowId, authenticator.Get(options));
        await AuthClient.AssertProblemAsync(gone, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_passkey_is_a_second_factor_after_a_password_and_only_the_accounts_own()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);
        using var authenticator = new SoftwareAuthenticator(_origin);
        await RegisterAsync(access, authenticator, "Laptop");
        await _client.EnableTotpAsync(access);
        var strangerAccess = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        using var strangers = new SoftwareAuthenticator(_origin);
        await RegisterAsync(strangerAccess, strangers, "Stranger's key");

        var (token, methods) = await _client.FirstFactorAsync(email);
        Assert.Contains("passkey", methods);
        using var optionsAnswer = await _client.PostAsync("/auth/mfa/passkey/options", new { mfa_token = token });
        Assert.Equal(HttpStatusCode.OK, optionsAnswer.StatusCode);
        var options = await AuthClient.ReadJsonAsync(optionsAnswer);
        Assert.Equal(SoftwareAuthenticator.ToBase64Url(authenticator.CredentialId), Assert.Single(options.GetProperty("allowCredentials").EnumerateArray()).GetProperty("id").GetString());

        using (var foreign = await _client.SecondFactorAsync(token, new { credential = strangers.Get(options) }))
        {
            await AuthClient.AssertProblemAsync(foreign, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var freshOptions = await _client.PostAsync("/auth/mfa/passkey/options", new { mfa_token = token });
        var again = await AuthClient.ReadJsonAsync(freshOptions);
        using var verified = await _client.SecondFactorAsync(token, new { credential = authenticator.Get(again) });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var claims = AuthClient.ClaimsOf(SignedIn.From(await AuthClient.ReadJsonAsync(verified)).AccessToken);
        Assert.Equal(["pwd", "hwk", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
    }

    private async Task<string> RegisterAsync(string accessToken, SoftwareAuthenticator authenticator, string name)
    {
        using var optionsAnswer = await _client.SendAsync(HttpMethod.Post, "/auth/passkeys/register/options", accessToken);
        Assert.Equal(HttpStatusCode.OK, optionsAnswer.StatusCode);
        var options = await AuthClient.ReadJsonAsync(optionsAnswer);
        Assert.Equal("required", options.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        using var registered = await _client.SendAsync(HttpMethod.Post, "/auth/passkeys/register", accessToken, new { name, credential = authenticator.Create(options) });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await AuthClient.ReadJsonAsync(registered)).GetProperty("id").GetString()!;
    }

    private async Task<(string FlowId, JsonElement Options)> SignInOptionsAsync()
    {
        using var answer = await _client.PostAsync("/auth/passkeys/sign-in/options", new { });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await AuthClient.ReadJsonAsync(answer);
        return (body.GetProperty("flow_id").GetString()!, body.GetProperty("options").Clone());
    }

    private Task<HttpResponseMessage> SignInAsync(string flowId, JsonObject credential) =>
        _client.PostAsync("/auth/passkeys/sign-in", new { flow_id = flowId, credential });

    public void Dispose() => _client.Dispose();
}
