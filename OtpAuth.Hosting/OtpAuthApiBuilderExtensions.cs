using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting;

/// <summary>What an OtpAuth Api is wired to: its database, Redis and mail server, and its secrets and code settings.</summary>
public sealed record OtpAuthApiWiring(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Mail,
    IResourceBuilder<ParameterResource> JwtKeyRingSecret,
    IResourceBuilder<ParameterResource> OtpHashKey,
    IResourceBuilder<ParameterResource> OtpLength,
    IResourceBuilder<ParameterResource> ResendCooldownSeconds) : IResourceAnnotation;

/// <summary>The Web endpoint whose origin an Api accepts passkeys from.</summary>
public sealed record OtpAuthPasskeyOrigin(EndpointReference Web) : IResourceAnnotation;

/// <summary>
/// The one wiring of an OtpAuth Api project, for the AppHost's <c>api</c> and for any other instance of it (a test
/// variant is the AppHost's wiring, found on its <c>api</c>, with another Redis or other settings).
/// </summary>
public static class OtpAuthApiBuilderExtensions
{
    /// <summary>
    /// References and waits for the dependencies, hands over the secrets and code settings, health-checks <c>/health</c>,
    /// and makes the Api's own <c>http</c> URL the tokens' issuer. Run by the AppHost, the Api is a local development
    /// instance: its plain-http loopback issuer is accepted in Development only, and its docs are served only there.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOtpAuthApiWiring(this IResourceBuilder<ProjectResource> api, OtpAuthApiWiring wiring)
    {
        api.WithAnnotation(wiring, ResourceAnnotationMutationBehavior.Replace)
            .WithHttpHealthCheck("/health")
            .WithReference(wiring.Database).WaitFor(wiring.Database)
            .WithReference(wiring.Redis, connectionName: "redis").WaitFor(wiring.Redis)
            .WithReference(wiring.Mail).WaitFor(wiring.Mail)
            .WithEnvironment("Jwt__KeyRingSecret", wiring.JwtKeyRingSecret)
            .WithEnvironment("Otp__HashKey", wiring.OtpHashKey)
            .WithEnvironment("Otp__Length", wiring.OtpLength)
            .WithEnvironment("Otp__ResendCooldownSeconds", wiring.ResendCooldownSeconds);
        if (api.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            api.WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
        }

        // Any JwtBearer with Authority = that URL finds the keys by discovery; each instance keeps a key ring of its own.
        return api.WithEnvironment("Jwt__Issuer", api.GetEndpoint("http"));
    }

    /// <summary>
    /// The page passkeys are used from: the Web's URL becomes the Api's one WebAuthn origin (the relying party id stays
    /// <c>localhost</c>, the Api's default, which a browser accepts over plain http).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPasskeyOrigin(this IResourceBuilder<ProjectResource> api, EndpointReference web) =>
        api.WithAnnotation(new OtpAuthPasskeyOrigin(web), ResourceAnnotationMutationBehavior.Replace)
            .WithEnvironment("Passkeys__Origins__0", web);

    /// <summary>The passkey origin of the Api resource <paramref name="apiName"/>, if it has one, to give another instance.</summary>
    public static EndpointReference? GetPasskeyOrigin(this IDistributedApplicationBuilder builder, string apiName = "api") =>
        builder.Resources.Single(r => r.Name == apiName).Annotations.OfType<OtpAuthPasskeyOrigin>().SingleOrDefault()?.Web;

    /// <summary>The wiring of the Api resource <paramref name="apiName"/>, to wire another instance the same way.</summary>
    public static OtpAuthApiWiring GetOtpAuthApiWiring(this IDistributedApplicationBuilder builder, string apiName = "api") =>
        builder.Resources.Single(r => r.Name == apiName).Annotations.OfType<OtpAuthApiWiring>().Single();
}
