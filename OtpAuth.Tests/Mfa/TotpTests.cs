using System.Net;
using OtpAuth.Api.Mfa;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Mfa;

/// <summary>TOTP with recovery codes and the second step of a sign-in, through the real Api.</summary>
public sealed class TotpTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);
    private readonly AuthClient _burst = new(system, OtpAuthSystem.Burst);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Setup_shows_the_secret_as_text_uri_and_qr_code_and_nothing_changes_until_a_code_confirms_it()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);

        using var setup = await _client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/setup", access);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var body = await AuthClient.ReadJsonAsync(setup);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.Equal(32, secret.Length); // 160 bits in base32
        Assert.StartsWith($"otpauth://totp/OtpAuth:{Uri.EscapeDataString(email)}?secret={secret}&issuer=OtpAuth", body.GetProperty("otpauth_uri").GetString());
        Assert.Contains("<svg", body.GetProperty("qr_svg").GetString(), StringComparison.Ordinal);

        using (var unconfirmed = await _client.LoginAsync(email))
        {
            Assert.True((await AuthClient.ReadJsonAsync(unconfirmed)).TryGetProperty("access_token", out _), "a setup alone changes nothing");
        }

        Assert.False(await TotpEnabledAsync(access), "/auth/me: not on before a code confirms it");

        using (var wrong = await _client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/confirm", access, new { code = "000000" == TotpCodes.Compute(OtpNet.Base32Encoding.ToBytes(secret), DateTimeOffset.UtcNow) ? "111111" : "000000" }))
        {
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var confirmed = await _client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/confirm", access,
            new { code = TotpCodes.Compute(OtpNet.Base32Encoding.ToBytes(secret), DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var codes = (await AuthClient.ReadJsonAsync(confirmed)).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$", c)); // 16 × 5 bits = 80 bits
        await _client.Mail.WaitForMessageAsync(email, m => m.Subject.Contains("Two-step sign-in is on", StringComparison.Ordinal), Token);
        Assert.True(await TotpEnabledAsync(access), "/auth/me: on once confirmed");

        using var again = await _client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/setup", access);
        await AuthClient.AssertProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_password_then_a_code_signs_in_and_a_code_is_accepted_once()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);
        var (secret, _) = await _client.EnableTotpAsync(access);

        var (token, methods) = await _client.FirstFactorAsync(email);
        Assert.Equal(["totp", "recovery_code"], methods);
        var code = MfaSteps.NextCode(secret);
        using (var verified = await _client.SecondFactorAsync(token, new { code }))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            var claims = AuthClient.ClaimsOf(SignedIn.From(await AuthClient.ReadJsonAsync(verified)).AccessToken);
            Assert.Equal(["pwd", "otp", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
        }

        using (var tokenAgain = await _client.SecondFactorAsync(token, new { code = MfaSteps.NextCode(secret) }))
        {
            await AuthClient.AssertProblemAsync(tokenAgain, HttpStatusCode.Unauthorized, MfaApi.InvalidChallenge);
        }

        var (second, _) = await _client.FirstFactorAsync(email);
        using (var replayed = await _client.SecondFactorAsync(second, new { code }))
        {
            await AuthClient.AssertProblemAsync(replayed, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var earlier = await _client.SecondFactorAsync(second, new { code = TotpCodes.Compute(secret, DateTimeOffset.UtcNow) }))
        {
            await AuthClient.AssertProblemAsync(earlier, HttpStatusCode.BadRequest, "Invalid or expired code"); // an earlier step than the one used
        }

        using var wrongToken = await _client.SecondFactorAsync("not-a-token", new { code = MfaSteps.NextCode(secret) });
        await AuthClient.AssertProblemAsync(wrongToken, HttpStatusCode.Unauthorized, MfaApi.InvalidChallenge);
    }

    [Fact]
    public async Task A_recovery_code_works_once_and_removing_totp_voids_the_rest()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);
        var (_, recovery) = await _client.EnableTotpAsync(access);

        var (token, _) = await _client.FirstFactorAsync(email);
        using (var used = await _client.SecondFactorAsync(token, new { recovery_code = recovery[0].ToUpperInvariant() }))
        {
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }

        var (again, _) = await _client.FirstFactorAsync(email);
        using (var twice = await _client.SecondFactorAsync(again, new { recovery_code = recovery[0] }))
        {
            await AuthClient.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var removed = await _client.SendAsync(HttpMethod.Delete, "/auth/mfa/totp", access, new { recovery_code = recovery[1].Replace("-", "", StringComparison.Ordinal) }))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        await _client.Mail.WaitForMessageAsync(email, m => m.Subject.Contains("turned off", StringComparison.Ordinal), Token);
        Assert.False(await TotpEnabledAsync(access), "/auth/me: off once removed");
        using (var plain = await _client.LoginAsync(email))
        {
            Assert.True((await AuthClient.ReadJsonAsync(plain)).TryGetProperty("access_token", out _), "no second step once TOTP is off");
        }

        var (secret, fresh) = await _client.EnableTotpAsync((await _client.SignInAsync(email)).AccessToken);
        var (third, _) = await _client.FirstFactorAsync(email);
        using var old = await _client.SecondFactorAsync(third, new { recovery_code = recovery[2] }); // a code of the earlier set
        await AuthClient.AssertProblemAsync(old, HttpStatusCode.BadRequest, "Invalid or expired code");
        Assert.DoesNotContain(recovery[2], fresh);
        Assert.NotNull(secret);
    }

    [Fact]
    public async Task A_password_reset_does_not_skip_the_second_factor_nor_does_a_code_sign_in()
    {
        var email = AuthClient.NewAddress();
        var access = await _client.RegisterVerifyAndLoginAsync(email);
        var (secret, _) = await _client.EnableTotpAsync(access);
        var before = await _client.CountMailsAsync(email);
        using (var forgot = await _client.PostAsync("/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var resetCode = await _client.WaitForNewCodeAsync(email, before);
        using (var reset = await _client.PostAsync("/auth/password/reset", new { email, code = resetCode, new_password = "a new passphrase after reset" }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var (token, _) = await _client.FirstFactorAsync(email, "a new passphrase after reset");
        Assert.False(string.IsNullOrEmpty(token));

        before = await _client.CountMailsAsync(email);
        var signInId = await _client.RequestSignInCodeAsync(email);
        var signInCode = await _client.WaitForNewCodeAsync(email, before);
        using var byCode = await _client.VerifySignInCodeAsync(email, signInCode, signInId);
        var body = await AuthClient.ReadJsonAsync(byCode);
        Assert.True(body.GetProperty("mfa_required").GetBoolean());
        Assert.False(body.TryGetProperty("access_token", out _));
        using var second = await _client.SecondFactorAsync(body.GetProperty("mfa_token").GetString()!, new { code = MfaSteps.NextCode(secret) });
        var claims = AuthClient.ClaimsOf(SignedIn.From(await AuthClient.ReadJsonAsync(second)).AccessToken);
        Assert.Equal(["otp", "mfa"], claims.GetProperty("amr").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task An_mfa_token_expires_and_wrong_codes_have_a_budget_per_account()
    {
        var email = AuthClient.NewAddress();
        var access = await _burst.RegisterVerifyAndLoginAsync(email);
        var (secret, _) = await _burst.EnableTotpAsync(access);

        var (stale, _) = await _burst.FirstFactorAsync(email);
        await Task.Delay(TimeSpan.FromSeconds(OtpAuthSystem.BurstMfaChallengeSeconds + 1), Token);
        using (var expired = await _burst.SecondFactorAsync(stale, new { code = MfaSteps.NextCode(secret) }))
        {
            await AuthClient.AssertProblemAsync(expired, HttpStatusCode.Unauthorized, MfaApi.InvalidChallenge);
        }

        var right = MfaSteps.NextCode(secret, stepsAhead: 0) is var now && now == "000000" ? "111111" : "000000";
        for (var i = 0; i < OtpAuthSystem.BurstMfaFailures; i++)
        {
            var (token, _) = await _burst.FirstFactorAsync(email);
            using var wrong = await _burst.SecondFactorAsync(token, new { code = right });
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        var (locked, _) = await _burst.FirstFactorAsync(email);
        using var refused = await _burst.SecondFactorAsync(locked, new { code = MfaSteps.NextCode(secret) });
        await AuthClient.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    /// <summary>What <c>GET /auth/me</c> says of the token's account: whether a sign-in asks for a TOTP code.</summary>
    private async Task<bool> TotpEnabledAsync(string access)
    {
        using var me = await _client.MeAsync(access);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return (await AuthClient.ReadJsonAsync(me)).GetProperty("totp_enabled").GetBoolean();
    }

    public void Dispose()
    {
        _client.Dispose();
        _burst.Dispose();
    }
}
