using System.Net;
using System.Text.Json;
using OtpAuth.Api.Mfa;
using OtpAuth.Tests.Api;

namespace OtpAuth.Tests.Mfa;

/// <summary>TOTP as an authenticator app does it, against the real Api.</summary>
internal static class MfaSteps
{
    /// <summary>Turns TOTP on for the session's account; returns the secret and the recovery codes.</summary>
    public static async Task<(byte[] Secret, List<string> RecoveryCodes)> EnableTotpAsync(this AuthClient client, string accessToken)
    {
        using var setup = await client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/setup", accessToken);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var secret = OtpNet.Base32Encoding.ToBytes((await AuthClient.ReadJsonAsync(setup)).GetProperty("secret").GetString()!);
        using var confirmed = await client.SendAsync(HttpMethod.Post, "/auth/mfa/totp/confirm", accessToken, new { code = TotpCodes.Compute(secret, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var codes = (await AuthClient.ReadJsonAsync(confirmed)).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        return (secret, codes);
    }

    /// <summary>A password login that must stop at the second step; returns its mfa_token and methods.</summary>
    public static async Task<(string Token, List<string> Methods)> FirstFactorAsync(this AuthClient client, string email, string password = AuthClient.Password)
    {
        using var login = await client.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await AuthClient.ReadJsonAsync(login);
        Assert.True(body.GetProperty("mfa_required").GetBoolean());
        Assert.False(body.TryGetProperty("access_token", out _), "no tokens before the second factor");
        return (body.GetProperty("mfa_token").GetString()!, body.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToList());
    }

    public static Task<HttpResponseMessage> SecondFactorAsync(this AuthClient client, string mfaToken, object factor)
    {
        var body = JsonSerializer.SerializeToNode(factor)!.AsObject();
        body["mfa_token"] = mfaToken;
        return client.PostAsync("/auth/mfa/verify", body);
    }

    /// <summary>The code an app shows half a minute from now: a step after any code used so far in this one.</summary>
    public static string NextCode(byte[] secret, int stepsAhead = 1) => TotpCodes.Compute(secret, DateTimeOffset.UtcNow.AddSeconds(30 * stepsAhead));
}
