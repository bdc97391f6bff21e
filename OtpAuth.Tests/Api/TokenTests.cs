using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Access tokens are ES256 JWTs in the RFC 9068 profile, signed by a key the Api publishes at /.well-known/jwks.json;
/// /auth/me accepts nothing else. Forged tokens are built by hand here (base64url JSON + a signature), with keys of
/// the test's own: nobody but the Api holds its private keys.
/// </summary>
public sealed class TokenTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_is_ES256_at_jwt_with_a_published_kid_and_the_claims_of_its_session()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var signedIn = await _client.SignInAsync(email);
        var (header, claims) = Decode(signedIn.AccessToken);
        var jwks = await _client.Http.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", Token);
        var discovery = await _client.Http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", Token);

        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Equal("at+jwt", header["typ"]!.GetValue<string>());
        var published = jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(header["kid"]!.GetValue<string>(), published);
        Assert.All(jwks.GetProperty("keys").EnumerateArray(), key => Assert.False(key.TryGetProperty("d", out _), "no private part is published"));
        Assert.Equal(discovery.GetProperty("issuer").GetString(), claims["iss"]!.GetValue<string>());
        Assert.Equal(system.GetEndpoint("api").ToString().TrimEnd('/'), discovery.GetProperty("issuer").GetString()!.TrimEnd('/'));
        foreach (var claim in new[] { "sub", "sid", "aud", "iat", "exp", "jti", "client_id" })
        {
            Assert.True(claims.ContainsKey(claim), $"the token has {claim}");
        }

        Assert.Equal(15 * 60, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        using var me = await _client.MeAsync(signedIn.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_under_a_published_kid_is_refused()
    {
        var (header, claims) = Decode(await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress()));
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await AssertRefusedAsync(SignEs256(header, claims, forger));
    }

    [Fact]
    public async Task A_token_with_a_kid_nobody_published_is_refused()
    {
        var (header, claims) = Decode(await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress()));
        header["kid"] = "not-a-published-kid";
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await AssertRefusedAsync(SignEs256(header, claims, forger));
    }

    [Fact]
    public async Task A_token_with_an_edited_payload_is_refused()
    {
        var token = (await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress())).Split('.');
        var (_, claims) = Decode(string.Join('.', token));
        claims["sub"] = Guid.NewGuid().ToString();

        await AssertRefusedAsync($"{token[0]}.{Encode(claims)}.{token[2]}");
    }

    [Fact]
    public async Task An_HS256_token_keyed_with_the_published_public_key_is_refused()
    {
        // The algorithm confusion attack: a verifier that let the header pick the algorithm would check this HMAC with
        // the public key's bytes as the secret.
        var (header, claims) = Decode(await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress()));
        var jwks = await _client.Http.GetStringAsync("/.well-known/jwks.json", Token);
        header["alg"] = "HS256";
        var signingInput = $"{Encode(header)}.{Encode(claims)}";

        await AssertRefusedAsync($"{signingInput}.{Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(jwks), Encoding.ASCII.GetBytes(signingInput)))}");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_or_one_without_its_signature_is_refused()
    {
        var token = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        var (header, claims) = Decode(token);
        header["alg"] = "none";

        await AssertRefusedAsync($"{Encode(header)}.{Encode(claims)}.");
        await AssertRefusedAsync(token[..(token.LastIndexOf('.') + 1)]);
        await AssertRefusedAsync(token[..token.LastIndexOf('.')]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    public async Task A_missing_or_malformed_token_is_refused(string? token) => await AssertRefusedAsync(token);

    private async Task AssertRefusedAsync(string? token)
    {
        using var me = await _client.MeAsync(token);
        await AuthClient.AssertProblemAsync(me, HttpStatusCode.Unauthorized);
    }

    internal static (JsonObject Header, JsonObject Claims) Decode(string token)
    {
        var parts = token.Split('.');
        return (JsonNode.Parse(Decode64(parts[0]))!.AsObject(), JsonNode.Parse(Decode64(parts[1]))!.AsObject());
    }

    private static string SignEs256(JsonObject header, JsonObject claims, ECDsa key)
    {
        var signingInput = $"{Encode(header)}.{Encode(claims)}";
        return $"{signingInput}.{Encode(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256))}";
    }

    private static string Encode(JsonNode json) => Encode(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string Decode64(string text) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));

    public void Dispose() => _client.Dispose();
}
