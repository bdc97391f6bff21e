using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// /auth/me accepts only HS256 tokens signed with the Api's key, from its issuer, for its audience, within their
/// lifetime give or take at most 30 s. Tokens are built by hand here (base64url JSON + HMAC), with the signing key
/// the AppHost generated for the Api.
/// </summary>
public sealed class TokenTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task A_token_built_like_the_Api_builds_them_is_accepted()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();

        using var me = await _client.MeAsync(Sign(Header("HS256"), claims, key, HMACSHA256.HashData));

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused_even_within_the_frameworks_default_five_minute_skew()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["iat"] = now - 600;
        claims["nbf"] = now - 600;
        claims["exp"] = now - 60;

        await AssertRefusedAsync(Sign(Header("HS256"), claims, key, HMACSHA256.HashData));
    }

    [Theory]
    [InlineData(35, HttpStatusCode.Unauthorized)] // past the 30 s skew
    [InlineData(10, HttpStatusCode.OK)] // expired, but within the 30 s skew
    public async Task The_clock_skew_allowed_on_expiry_is_30_seconds(int expiredSecondsAgo, HttpStatusCode expected)
    {
        var (claims, key) = await RealClaimsAndKeyAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["iat"] = now - 600;
        claims["nbf"] = now - 600;
        claims["exp"] = now - expiredSecondsAgo;

        using var me = await _client.MeAsync(Sign(Header("HS256"), claims, key, HMACSHA256.HashData));

        Assert.Equal(expected, me.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var (claims, _) = await RealClaimsAndKeyAsync();

        await AssertRefusedAsync(Sign(Header("HS256"), claims, RandomNumberGenerator.GetBytes(48), HMACSHA256.HashData));
    }

    [Fact]
    public async Task A_token_with_an_edited_payload_is_refused()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();
        var token = Sign(Header("HS256"), claims, key, HMACSHA256.HashData).Split('.');
        claims["email"] = "mallory@example.test";

        await AssertRefusedAsync($"{token[0]}.{Base64Url(claims)}.{token[2]}");
    }

    [Fact]
    public async Task An_HS512_token_signed_with_the_same_key_is_refused()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();

        await AssertRefusedAsync(Sign(Header("HS512"), claims, key, HMACSHA512.HashData));
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var (claims, _) = await RealClaimsAndKeyAsync();

        await AssertRefusedAsync($"{Base64Url(Header("none"))}.{Base64Url(claims)}.");
    }

    [Fact]
    public async Task A_token_with_its_signature_removed_is_refused()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();
        var token = Sign(Header("HS256"), claims, key, HMACSHA256.HashData);

        await AssertRefusedAsync(token[..(token.LastIndexOf('.') + 1)]);
        await AssertRefusedAsync(token[..token.LastIndexOf('.')]);
    }

    [Fact]
    public async Task A_token_for_another_audience_or_issuer_is_refused()
    {
        var (claims, key) = await RealClaimsAndKeyAsync();
        var otherAudience = claims.DeepClone().AsObject();
        otherAudience["aud"] = "someone-else";
        var otherIssuer = claims.DeepClone().AsObject();
        otherIssuer["iss"] = "someone-else";

        await AssertRefusedAsync(Sign(Header("HS256"), otherAudience, key, HMACSHA256.HashData));
        await AssertRefusedAsync(Sign(Header("HS256"), otherIssuer, key, HMACSHA256.HashData));
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

    /// <summary>The claims of a real token for a real account (fresh iat/nbf/exp), and the Api's signing key.</summary>
    private async Task<(JsonObject Claims, byte[] Key)> RealClaimsAndKeyAsync()
    {
        var token = await _client.RegisterVerifyAndLoginAsync(AuthClient.NewAddress());
        var payload = token.Split('.')[1];
        var claims = JsonNode.Parse(Base64UrlDecode(payload))!.AsObject();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["iat"] = now;
        claims["nbf"] = now;
        claims["exp"] = now + 300;
        claims["jti"] = Guid.NewGuid().ToString();
        return (claims, Encoding.UTF8.GetBytes(TestApp.JwtSigningKey));
    }

    private static JsonObject Header(string algorithm) => new() { ["alg"] = algorithm, ["typ"] = "JWT" };

    private static string Sign(JsonObject header, JsonObject claims, byte[] key, Func<byte[], byte[], byte[]> mac)
    {
        var signingInput = $"{Base64Url(header)}.{Base64Url(claims)}";
        return $"{signingInput}.{Base64Url(mac(key, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    private static string Base64Url(JsonNode json) => Base64Url(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }

    public void Dispose() => _client.Dispose();
}
