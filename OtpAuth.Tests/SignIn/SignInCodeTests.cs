using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.SignIn;

/// <summary>Sign-in with an emailed code, through the real Api; codes from the real inbox.</summary>
public sealed class SignInCodeTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);
    private readonly AuthClient _burst = new(system, OtpAuthSystem.Burst); // no resend cooldown: several codes in a row

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_verified_account_signs_in_with_the_mailed_code_once_and_its_token_says_otp()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var before = await _client.CountMailsAsync(email);

        using var requested = await _client.PostAsync("/auth/sign-in/code", new { email });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var body = await AuthClient.ReadJsonAsync(requested);
        Assert.InRange(body.GetProperty("otp_expires_in").GetInt32(), 1, 600); // NIST SP 800-63B-4: at most 10 minutes
        Assert.Equal(6, body.GetProperty("code_length").GetInt32());
        var signInId = body.GetProperty("sign_in_id").GetString()!;
        var code = await _client.WaitForNewCodeAsync(email, before);

        using var verified = await _client.VerifySignInCodeAsync(email, code, signInId);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var tokens = SignedIn.From(await AuthClient.ReadJsonAsync(verified));
        var claims = AuthClient.ClaimsOf(tokens.AccessToken);
        Assert.Equal(["otp"], claims.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
        Assert.InRange(claims.GetProperty("auth_time").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        using (var me = await _client.MeAsync(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var again = await _client.VerifySignInCodeAsync(email, code, signInId);
        await AuthClient.AssertProblemAsync(again, HttpStatusCode.BadRequest, "Invalid or expired code");

        var password = AuthClient.ClaimsOf((await _client.SignInAsync(email)).AccessToken);
        Assert.Equal(["pwd"], password.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task An_address_without_an_account_gets_the_same_answer_and_no_mail()
    {
        var stranger = AuthClient.NewAddress();
        var member = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(member);
        var memberMails = await _client.CountMailsAsync(member);

        using var forStranger = await _client.PostAsync("/auth/sign-in/code", new { email = stranger });
        using var forMember = await _client.PostAsync("/auth/sign-in/code", new { email = member });

        Assert.Equal(HttpStatusCode.Accepted, forStranger.StatusCode);
        Assert.Equal(forMember.StatusCode, forStranger.StatusCode);
        var (a, b) = (await AuthClient.ReadJsonAsync(forStranger), await AuthClient.ReadJsonAsync(forMember));
        Assert.Equal(b.GetProperty("message").GetString(), a.GetProperty("message").GetString());
        Assert.Equal(b.GetProperty("otp_expires_in").GetInt32(), a.GetProperty("otp_expires_in").GetInt32());
        Assert.Equal(b.GetProperty("code_length").GetInt32(), a.GetProperty("code_length").GetInt32());
        Assert.NotEqual(b.GetProperty("sign_in_id").GetString(), a.GetProperty("sign_in_id").GetString());

        // One queue, oldest first: once the member's code is in, the stranger's job was done, and mailed nothing.
        await _client.WaitForNewCodeAsync(member, memberMails);
        Assert.Equal(0, await _client.CountMailsAsync(stranger));
        using var guess = await _client.VerifySignInCodeAsync(stranger, "123456", a.GetProperty("sign_in_id").GetString()!);
        await AuthClient.AssertProblemAsync(guess, HttpStatusCode.BadRequest, "Invalid or expired code");
    }

    [Fact]
    public async Task A_code_works_only_with_its_own_sign_in_and_a_newer_request_voids_it()
    {
        var email = AuthClient.NewAddress();
        await _burst.RegisterAndVerifyAsync(email);
        var before = await _burst.CountMailsAsync(email);
        var first = await _burst.RequestSignInCodeAsync(email);
        var firstCode = await _burst.WaitForNewCodeAsync(email, before);

        using (var otherFlow = await _burst.VerifySignInCodeAsync(email, firstCode, Guid.CreateVersion7().ToString()))
        {
            await AuthClient.AssertProblemAsync(otherFlow, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        var second = await _burst.RequestSignInCodeAsync(email);
        var secondCode = await _burst.WaitForNewCodeAsync(email, before + 1);
        using (var voided = await _burst.VerifySignInCodeAsync(email, firstCode, first))
        {
            await AuthClient.AssertProblemAsync(voided, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var crossed = await _burst.VerifySignInCodeAsync(email, secondCode, first))
        {
            await AuthClient.AssertProblemAsync(crossed, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var right = await _burst.VerifySignInCodeAsync(email, secondCode, second);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task A_reset_code_does_not_sign_in_and_a_sign_in_code_does_not_reset_the_password()
    {
        var email = AuthClient.NewAddress();
        await _burst.RegisterAndVerifyAsync(email);
        var before = await _burst.CountMailsAsync(email);
        using (var forgot = await _burst.PostAsync("/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var resetCode = await _burst.WaitForNewCodeAsync(email, before);
        var signInId = await _burst.RequestSignInCodeAsync(email);
        var signInCode = await _burst.WaitForNewCodeAsync(email, before + 1);

        using (var resetAsSignIn = await _burst.VerifySignInCodeAsync(email, resetCode, signInId))
        {
            await AuthClient.AssertProblemAsync(resetAsSignIn, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var signInAsReset = await _burst.PostAsync("/auth/password/reset", new { email, code = signInCode, new_password = "another long passphrase" }))
        {
            await AuthClient.AssertProblemAsync(signInAsReset, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var login = await _burst.LoginAsync(email); // the password is unchanged
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var signedIn = await _burst.VerifySignInCodeAsync(email, signInCode, signInId); // and each code still works for its own flow
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task A_code_sign_in_ends_the_login_throttles_count_as_a_password_sign_in_does()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await _client.LoginAsync(email, "not the password at all");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var throttled = await _client.LoginAsync(email))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        }

        await _client.SignInByCodeAsync(email);

        using var login = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_each_field()
    {
        using var response = await _client.PostAsync("/auth/sign-in/code/verify", new { email = "not an address", code = "12", sign_in_id = "nope" });

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("code", out _));
        Assert.True(errors.TryGetProperty("sign_in_id", out _));
    }

    [Fact]
    public async Task With_the_setting_off_there_is_no_sign_in_by_code_and_the_settings_say_so()
    {
        using var rotation = new AuthClient(system, OtpAuthSystem.Rotation);

        using var response = await rotation.PostAsync("/auth/sign-in/code", new { email = AuthClient.NewAddress() });
        using var settings = await rotation.Http.GetAsync("/auth/settings", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await settings.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("email_code_sign_in").GetBoolean());
    }

    public void Dispose()
    {
        _client.Dispose();
        _burst.Dispose();
    }
}
