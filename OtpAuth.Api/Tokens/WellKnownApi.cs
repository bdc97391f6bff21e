using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Tokens;

public sealed record JwksResponse(IReadOnlyList<PublicJwk> Keys);

public sealed record DiscoveryResponse(
    string Issuer, string JwksUri, string TokenEndpoint, IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    IReadOnlyList<string> SubjectTypesSupported, IReadOnlyList<string> ResponseTypesSupported);

/// <summary>
/// <c>/.well-known/jwks.json</c> and <c>/.well-known/openid-configuration</c>: enough for any JwtBearer configured with
/// only <c>Authority</c> (the Api's URL, which the AppHost makes the issuer) to find the keys and validate our tokens.
/// </summary>
public static class WellKnownApi
{
    public static IEndpointRouteBuilder MapWellKnownApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/.well-known").WithTags("Keys");
        group.MapGet("/jwks.json", (SigningKeyRing keys, HttpResponse response) =>
            {
                // Caches may keep it briefly; the next key is published long (a quarter rotation) before it signs.
                response.Headers.CacheControl = "public, max-age=300";
                return TypedResults.Ok(new JwksResponse(keys.Published()));
            })
            .WithName("Jwks")
            .WithSummary("The public keys access tokens are signed with (the next one included, before it signs)");

        // Every URL in it comes from Jwt:Issuer, never from the request's Host, which any client can write. An issuer that
        // is not a URL (Development only; elsewhere the start refuses it) names no place for the keys, so there is no document.
        group.MapGet("/openid-configuration", Results<Ok<DiscoveryResponse>, ProblemHttpResult> (IOptions<JwtOptions> options) =>
            {
                var issuer = options.Value.Issuer;
                if (JwtOptions.IssuerUrl(issuer) is null)
                {
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status404NotFound,
                        title: "No discovery document",
                        detail: "Jwt:Issuer is not an absolute URL, so there is no URL to publish the signing keys under. Set it to the service's public URL.");
                }

                var baseUrl = issuer.TrimEnd('/');
                return TypedResults.Ok(new DiscoveryResponse(
                    issuer, $"{baseUrl}/.well-known/jwks.json", $"{baseUrl}/auth/login", ["ES256"], ["public"], ["token"]));
            })
            .WithName("OpenIdConfiguration")
            .WithSummary("Issuer and jwks_uri, for JwtBearer's Authority");
        return app;
    }
}
