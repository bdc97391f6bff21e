using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OtpAuth.Api.Tokens;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// Validates bearer tokens exactly as <see cref="TokenIssuer"/> makes them: ES256 only (so "none", HS256 and RS256 are
/// refused), a published key of our ring by its <c>kid</c> (an unknown kid is refused, never tried against every key),
/// <c>typ: at+jwt</c>, our issuer and audience, a lifetime with at most 30 s of clock skew (the framework's default is
/// 5 minutes), claim names kept as sent. Then the Api's own endpoints refuse a token whose session was revoked: one
/// Redis lookup (<see cref="RevokedSessions"/>; PostgreSQL while Redis has lost that cache). Other services rely on the
/// short lifetime.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<JwtOptions> jwtOptions, SigningKeyRing keys) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var jwt = jwtOptions.Value;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidTypes = [TokenIssuer.TokenType],
            IssuerSigningKeyResolver = (_, _, kid, _) => keys.Resolve(kid),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TokenIssuer.ClockSkew,
            NameClaimType = "email",
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var services = context.HttpContext.RequestServices;
                var revoked = services.GetRequiredService<RevokedSessions>();
                if (!Guid.TryParse(context.Principal?.FindFirst(TokenIssuer.SessionClaim)?.Value, out var sessionId)
                    || await revoked.IsRevokedAsync(sessionId, services.GetRequiredService<Users.OtpAuthDbContext>(), context.HttpContext.RequestAborted))
                {
                    context.Fail("The session of this token has ended.");
                }
            },
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);
}
