using System.Globalization;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Orchestration;
using OtpAuth.Hosting.Runtimes;

namespace OtpAuth.Hosting.Resources;

/// <summary>
/// A development SMTP server that catches every message, with a web inbox and a REST API (maildev 2.2.1).
/// Configuring real SMTP (<c>Smtp:Host</c>) or <c>ConnectionStrings:mail</c> replaces it.
/// </summary>
public sealed class MailDevResource : InfrastructureResource, IResourceWithConnectionString, IInfrastructureResource
{
    public MailDevResource(string name) : base(name)
    {
        Endpoints.Add(new EndpointAnnotation("smtp", "smtp", defaultPort: 1025, containerPort: 1025));
        Endpoints.Add(new EndpointAnnotation("http", "http", defaultPort: 1080, containerPort: 1080) { IsExternal = true });
    }

    public override string Type => "mail";

    public string? GetConnectionString() =>
        ExternalConnectionString ?? (GetEndpoint("smtp").Port is not null ? GetEndpoint("smtp").Url : null);

    string? IInfrastructureResource.GetExternalConnectionString(ResourceContext context)
    {
        if (context.Configuration[$"ConnectionStrings:{Name}"] is { Length: > 0 } configured)
        {
            return configured;
        }

        // Real SMTP settings are handed to the projects as Smtp__* (see ProjectResource); the connection string
        // only says where the server is, for the probe and the console.
        return context.Configuration["Smtp:Host"] is { Length: > 0 } host
            ? $"smtp://{host}:{context.Configuration["Smtp:Port"] ?? "587"}"
            : null;
    }

    ContainerSpec IInfrastructureResource.GetContainerSpec(ResourceContext context) => new(
        Image: "docker.io/maildev/maildev:2.2.1",
        Ports: [new(GetEndpoint("smtp").Port!.Value, 1025), new(GetEndpoint("http").Port!.Value, 1080)],
        Environment: new Dictionary<string, string>(),
        Volumes: []);

    async Task<ProcessSpec> IInfrastructureResource.GetProcessSpecAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var node = context.Executables.Find("node") ?? throw new ResourceUnavailableException(
            $"The dev mail server '{Name}' needs a container engine or Node.js (node and npm on PATH); " +
            "or configure real SMTP with Smtp:Host (and Smtp:Port, Smtp:Username, Smtp:Password).");
        var script = await context.Tools.InstallMailDevAsync(cancellationToken);
        return new ProcessSpec(node,
        [
            script,
            "--ip", "127.0.0.1",
            "--smtp", GetEndpoint("smtp").Port!.Value.ToString(CultureInfo.InvariantCulture),
            "--web", GetEndpoint("http").Port!.Value.ToString(CultureInfo.InvariantCulture),
            "--web-ip", "127.0.0.1",
        ]);
    }

    Task<bool> IInfrastructureResource.IsReadyAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var uri = new Uri(GetConnectionString()!);
        // A server that speaks TLS from the first byte (port 465) greets only after a handshake: reaching it is enough.
        var tlsOnConnect = uri.Scheme == "smtps" || uri.Port == 465
            || string.Equals(context.Configuration["Smtp:Security"], "SslOnConnect", StringComparison.OrdinalIgnoreCase);
        return tlsOnConnect
            ? HealthProbes.TcpConnectAsync(uri.Host, uri.Port, cancellationToken)
            : HealthProbes.SmtpBannerAsync(uri.Host, uri.Port, cancellationToken);
    }
}

public static class MailDevBuilderExtensions
{
    public static IResourceBuilder<MailDevResource> AddMailDev(this DistributedApplicationBuilder builder, string name, int? smtpPort = null, int? httpPort = null)
    {
        var resource = new MailDevResource(name);
        if (smtpPort is { } smtp)
        {
            resource.GetEndpoint("smtp").DefaultPort = smtp;
        }

        if (httpPort is { } http)
        {
            resource.GetEndpoint("http").DefaultPort = http;
        }

        return builder.AddResource(resource);
    }
}
