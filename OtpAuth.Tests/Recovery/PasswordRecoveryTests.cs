using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Recovery;

/// <summary>Forgot, reset by code, and change: through the real Api, codes from the real inbox.</summary>
public sealed class PasswordRecoveryTests(OtpAuthSystem system) : IDisposable
{
    private const string NewPassword = "a brand new passphrase of mine";
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reset_by_code_replaces_the_password_and_ends_every_session()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var laptop = await _client.SignInAsync(email);
        var phone = await _client.SignInAsync(email);

        var code = await RequestResetCodeAsync(email);
        using var reset = await ResetAsync(email, code, NewPassword);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        foreach (var ended in new[] { laptop, phone })
        {
            using var me = await _client.MeAsync(ended.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            using var refresh = await _client.RefreshAsync(ended.RefreshToken);
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        using var oldPassword = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        using var newPassword = await _client.LoginAsync(email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);

        using var again = await ResetAsync(email, code, "yet another passphrase here");
        await AuthClient.AssertProblemAsync(again, HttpStatusCode.BadRequest, "Invalid or expired code"); // single use
        var changed = await _client.Mail.WaitForMessageAsync(email, m => m.Subject.Contains("password was changed", StringComparison.Ordinal), Token);
        Assert.DoesNotMatch(@"\b\d{6}\b", changed.Text);
    }

    [Fact]
    public async Task A_registration_code_cannot_reset_a_password_and_a_reset_code_cannot_verify_a_registration()
    {
        // A verified account, and a second registration of another address whose code is still unused.
        var owner = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(owner);
        var resetCode = await RequestResetCodeAsync(owner);

        var pending = AuthClient.NewAddress();
        using (var registered = await _client.RegisterAsync(pending))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var registrationCode = await _client.Mail.WaitForCodeAsync(pending, Token);

        // Each code is tried for the other purpose while it is live (an address cannot have both at once: a verified
        // one takes no registration, an unverified one gets no reset code); OtpHasherTests show the HMACs differ.
        using var resetWithRegistrationCode = await ResetAsync(pending, registrationCode, NewPassword);
        await AuthClient.AssertProblemAsync(resetWithRegistrationCode, HttpStatusCode.BadRequest, "Invalid or expired code");
        using var verifyWithResetCode = await _client.VerifyAsync(owner, resetCode, Guid.CreateVersion7().ToString());
        await AuthClient.AssertProblemAsync(verifyWithResetCode, HttpStatusCode.BadRequest, "Invalid or expired code");

        // Both codes still work for what they were sent for.
        using var verified = await _client.VerifyAsync(pending, registrationCode);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using var reset = await ResetAsync(owner, resetCode, NewPassword);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
    }

    [Fact]
    public async Task Forgot_answers_alike_for_unknown_unverified_and_verified_addresses_and_mails_only_the_account()
    {
        var verified = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(verified);
        var unverified = AuthClient.NewAddress();
        using (var registered = await _client.RegisterAsync(unverified))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var unknown = AuthClient.NewAddress();
        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var email in new[] { unknown, unverified, verified })
        {
            using var forgot = await _client.PostAsync("/auth/password/forgot", new { email });
            answers.Add((forgot.StatusCode, await forgot.Content.ReadAsStringAsync(Token)));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        await _client.Mail.WaitForMessageAsync(verified, m => m.Subject.Contains("reset", StringComparison.OrdinalIgnoreCase), Token);
        Assert.Empty(await _client.Mail.GetMessagesToAsync(unknown, Token));
        Assert.Single(await _client.Mail.GetMessagesToAsync(unverified, Token)); // its registration code only
    }

    [Fact]
    public async Task A_refused_new_password_spends_nothing_and_the_code_still_works()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var code = await RequestResetCodeAsync(email);

        using var weak = await ResetAsync(email, code, "password");
        var problem = await AuthClient.AssertProblemAsync(weak, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("new_password", out _));

        using var reset = await ResetAsync(email, code, NewPassword);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
    }

    [Fact]
    public async Task A_change_needs_the_current_password_and_ends_every_other_session()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var here = await _client.SignInAsync(email);
        var elsewhere = await _client.SignInAsync(email);

        using var wrong = await _client.SendAsync(HttpMethod.Post, "/auth/password/change", here.AccessToken,
            new { current_password = "not my password at all", new_password = NewPassword });
        var problem = await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("current_password", out _));

        using var change = await _client.SendAsync(HttpMethod.Post, "/auth/password/change", here.AccessToken,
            new { current_password = AuthClient.Password, new_password = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        using var hereMe = await _client.MeAsync(here.AccessToken);
        Assert.Equal(HttpStatusCode.OK, hereMe.StatusCode);
        using var elsewhereMe = await _client.MeAsync(elsewhere.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhereMe.StatusCode);
        using var login = await _client.LoginAsync(email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    private async Task<string> RequestResetCodeAsync(string email)
    {
        var before = await _client.CountMailsAsync(email);
        using var forgot = await _client.PostAsync("/auth/password/forgot", new { email });
        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        return await _client.WaitForNewCodeAsync(email, before);
    }

    private Task<HttpResponseMessage> ResetAsync(string email, string code, string newPassword) =>
        _client.PostAsync("/auth/password/reset", new { email, code, new_password = newPassword });

    public void Dispose() => _client.Dispose();
}
