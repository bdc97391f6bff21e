using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Account;

/// <summary>The account actions as a client calls them, for the tests of this folder.</summary>
internal static class AccountSteps
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> RequestChangeAsync(this AuthClient client, string accessToken, string newEmail, string password = AuthClient.Password) =>
        client.SendAsync(HttpMethod.Post, "/auth/email/change", accessToken, new { new_email = newEmail, password });

    /// <summary>Asks to move to <paramref name="newEmail"/> and returns the change id and the code mailed there.</summary>
    public static async Task<(string ChangeId, string Code)> StartChangeAsync(this AuthClient client, string accessToken, string newEmail)
    {
        var before = await client.CountMailsAsync(newEmail);
        using var requested = await client.RequestChangeAsync(accessToken, newEmail);
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var changeId = (await AuthClient.ReadJsonAsync(requested)).GetProperty("change_id").GetString()!;
        return (changeId, await client.WaitForNewCodeAsync(newEmail, before));
    }

    public static Task<HttpResponseMessage> VerifyChangeAsync(this AuthClient client, string accessToken, string changeId, string code) =>
        client.SendAsync(HttpMethod.Post, "/auth/email/change/verify", accessToken, new { change_id = changeId, code });

    public static Task<HttpResponseMessage> RevertAsync(this AuthClient client, string oldEmail, string code) =>
        client.PostAsync("/auth/email/change/revert", new { email = oldEmail, code });

    /// <summary>The code of the "your address was changed" mail to <paramref name="oldEmail"/>.</summary>
    public static async Task<string> RevertCodeAsync(this AuthClient client, string oldEmail)
    {
        var mail = await client.Mail.WaitForMessageAsync(oldEmail, m => m.Subject.Contains("address was changed", StringComparison.Ordinal), Token);
        // The code stands alone on its line; the new address above it may hold six digits in a row of its own.
        return System.Text.RegularExpressions.Regex.Match(mail.Text, @"^\d{6}$", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } code
            ? code.Value
            : throw new InvalidOperationException($"No code line in: {mail.Text}");
    }

    public static Task<HttpResponseMessage> DeleteAccountAsync(this AuthClient client, string accessToken, object body) =>
        client.SendAsync(HttpMethod.Delete, "/auth/account", accessToken, body);

    public static async Task<Guid> UserIdAsync(this AuthClient client, string accessToken)
    {
        using var me = await client.MeAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return (await me.Content.ReadFromJsonAsync<MeBody>(Token))!.Id;
    }

    private sealed record MeBody(Guid Id);
}
