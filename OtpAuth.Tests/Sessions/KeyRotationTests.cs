using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Sessions;

/// <summary>On <see cref="OtpAuthSystem.Rotation"/> the signing key changes every 26 s: a token of the retired key stays valid while that key is published.</summary>
public sealed class KeyRotationTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system, OtpAuthSystem.Rotation);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_signed_by_a_retired_but_published_key_is_still_accepted()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var old = await _client.SignInAsync(email);
        var oldKid = TokenTests.Decode(old.AccessToken).Header["kid"]!.GetValue<string>();

        // The next key is published ahead of use, then signs; wait (bounded) until a new login carries another kid.
        string newKid;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2), Token);
            var fresh = await _client.SignInAsync(email);
            newKid = TokenTests.Decode(fresh.AccessToken).Header["kid"]!.GetValue<string>();
        }
        while (newKid == oldKid && DateTime.UtcNow < deadline);

        Assert.NotEqual(oldKid, newKid);
        var published = (await _client.Http.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", Token))
            .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(oldKid, published);
        Assert.Contains(newKid, published);
        using var me = await _client.MeAsync(old.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
