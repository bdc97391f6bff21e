using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Sessions;

/// <summary>On <see cref="OtpAuthSystem.Rotation"/> the signing key changes every 26 s: a token of the retired key stays valid while that key is published, and a key the Api cannot decrypt stops nothing.</summary>
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

    [Fact]
    public async Task A_signing_key_the_api_cannot_decrypt_is_passed_over_and_the_schedule_goes_on()
    {
        // A key of this issuer whose private half was protected under another key ring (another Jwt:KeyRingSecret, a
        // restored database): the newest, and due to sign for a day. The ring must neither sign with it nor wait for
        // it: when the key signing now retires (within 26 s), its successor must be there.
        var issuer = (await _client.Http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", Token)).GetProperty("issuer").GetString();
        var foreignKid = "foreign-" + Guid.NewGuid().ToString("N")[..16];
        await using var database = new NpgsqlConnection(await system.GetConnectionStringAsync("otpauth", Token));
        await database.OpenAsync(Token);
        await ExecuteAsync(database, """
            INSERT INTO signing_keys (kid, issuer, protected_private_key, created_at, sign_from, sign_until, unpublish_at)
            VALUES ($1, $2, 'CfDJ8AAAAAAAAAAAAAAAAAAAAAA', now(), now(), now() + interval '1 day', now() + interval '2 days')
            """, foreignKid, issuer!);
        try
        {
            var email = AuthClient.NewAddress();
            await _client.RegisterAndVerifyAsync(email);
            var kids = new HashSet<string>();
            for (var deadline = DateTime.UtcNow.AddSeconds(40); DateTime.UtcNow < deadline; await Task.Delay(TimeSpan.FromSeconds(2), Token))
            {
                var session = await _client.SignInAsync(email); // asserts 200
                kids.Add(TokenTests.Decode(session.AccessToken).Header["kid"]!.GetValue<string>());
            }

            Assert.DoesNotContain(foreignKid, kids);
            Assert.True(kids.Count >= 2, $"the signing key never changed in 40 s: {string.Join(", ", kids)}");
            var published = (await _client.Http.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", Token))
                .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
            Assert.DoesNotContain(foreignKid, published);
        }
        finally
        {
            await ExecuteAsync(database, "DELETE FROM signing_keys WHERE kid = $1", foreignKid);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params string[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(Token);
    }

    public void Dispose() => _client.Dispose();
}
