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

        group.MapGet("/openid-configuration", (IOptions<JwtOptions> options, HttpRequest request) =>
            {
                var issuer = options.Value.Issuer;
                var baseUrl = Uri.TryCreate(issuer, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? issuer.TrimEnd('/')
                    : $"{request.Scheme}://{request.Host}{request.PathBase}";
                return TypedResults.Ok(new DiscoveryResponse(
                    issuer, $"{baseUrl}/.well-known/jwks.json", $"{baseUrl}/auth/login", ["ES256"], ["public"], ["token"]));
            })
            .WithName("OpenIdConfiguration")
            .WithSummary("Issuer and jwks_uri, for JwtBearer's Authority");
        return app;
    }
}
