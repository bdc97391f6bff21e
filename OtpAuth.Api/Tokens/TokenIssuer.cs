using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Tokens;

public readonly record struct AccessToken(string Token, TimeSpan ExpiresIn);

/// <summary>
/// Issues ES256 access tokens in the RFC 9068 profile: header <c>typ: at+jwt</c> and the signing key's <c>kid</c>;
/// claims <c>iss</c>, <c>aud</c>, <c>sub</c> (user id), <c>sid</c> (session id), <c>client_id</c>, <c>email</c>,
/// <c>jti</c>, <c>iat</c>, <c>exp</c>; and how and when the session's person last authenticated: <c>amr</c> (RFC 8176, an
/// array) and <c>auth_time</c> (OpenID Connect Core §2), which a refresh carries over unchanged.
/// </summary>
public sealed class TokenIssuer(SigningKeyRing keys, IOptions<JwtOptions> options, TimeProvider clock)
{
    /// <summary>The clock skew a validator allows on a token's lifetime (the framework's default is 5 minutes).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public const string TokenType = "at+jwt";
    public const string SessionClaim = "sid";
    public const string AuthTimeClaim = "auth_time";
    public const string MethodsClaim = "amr";

    private readonly JsonWebTokenHandler _handler = new();

    public AccessToken Issue(User user, Guid sessionId, DateTimeOffset authenticatedAt, string authMethods)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + jwt.AccessTokenLifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
                new Claim(SessionClaim, sessionId.ToString()),
                new Claim("client_id", jwt.Audience),
                new Claim(JwtRegisteredClaimNames.Email, user.Email),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString()),
            ]),
            Claims = new Dictionary<string, object>
            {
                [MethodsClaim] = Auth.AuthenticationMethods.Split(authMethods),
                [AuthTimeClaim] = authenticatedAt.ToUnixTimeSeconds(),
            },
            SigningCredentials = keys.Current(),
        });
        return new AccessToken(token, jwt.AccessTokenLifetime);
    }
}
