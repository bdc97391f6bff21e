using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtpAuth.Hosting.Local;
using OtpAuth.Hosting.Mail;

namespace OtpAuth.Hosting.MailDev;

/// <summary>The dev mail server maildev 2.2.1, as a local Node.js process or as a container.</summary>
public static class MailDevBuilderExtensions
{
    private const string Image = "docker.io/maildev/maildev";
    private const string Tag = "2.2.1";

    /// <summary>
    /// Adds maildev run by <paramref name="node"/>, installed with <paramref name="npm"/> on first start. SMTP and the
    /// web inbox listen on loopback, on <paramref name="smtpPort"/> and <paramref name="httpPort"/> (random when null).
    /// SMTP is not behind DCP's proxy, as PostgreSQL and Redis are not (<see cref="LocalPorts"/>): with maildev stopped
    /// the proxy would accept the Api's connection and leave it waiting for a greeting until its SMTP timeout, where a
    /// refused connection lets a register answer 503 at once.
    /// </summary>
    public static IResourceBuilder<MailDevResource> AddMailDev(
        this IDistributedApplicationBuilder builder, string name, string node, string npm, int? smtpPort = null, int? httpPort = null)
    {
        var mail = new MailDevResource(name, node, builder.AppHostDirectory);
        return builder.AddResource(mail)
            .WithArgs(MailDevInstaller.ScriptPath, "--ip", "127.0.0.1", "--web-ip", "127.0.0.1")
            .WithLoopbackEndpoint(MailDevResource.SmtpEndpointName, smtpPort ?? LocalPorts.Allocate(), scheme: "smtp", env: "MAILDEV_SMTP_PORT")
            .WithHttpEndpoint(port: httpPort, name: MailDevResource.HttpEndpointName, env: "MAILDEV_WEB_PORT")
            .OnBeforeResourceStarted(async (resource, @event, cancellationToken) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
                await MailDevInstaller.EnsureInstalledAsync(npm, line => logger.LogInformation("{Line}", line), cancellationToken);
            })
            .WithMailDevDefaults();
    }

    /// <summary>Adds maildev as a container (<c>docker.io/maildev/maildev:2.2.1</c>).</summary>
    public static IResourceBuilder<MailDevContainerResource> AddMailDevContainer(
        this IDistributedApplicationBuilder builder, string name, int? smtpPort = null, int? httpPort = null) =>
        builder.AddResource(new MailDevContainerResource(name))
            .WithImage(Image, Tag)
            .WithEndpoint(port: smtpPort, targetPort: 1025, name: MailDevResource.SmtpEndpointName, scheme: "smtp")
            .WithHttpEndpoint(port: httpPort, targetPort: 1080, name: MailDevResource.HttpEndpointName)
            .WithMailDevDefaults();

    private static IResourceBuilder<T> WithMailDevDefaults<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEndpoints, IResourceWithConnectionString =>
        builder
            .WithIconName("Mail")
            .WithHttpHealthCheck("/", endpointName: MailDevResource.HttpEndpointName)
            .WithSmtpHealthCheck()
            .WithUrlForEndpoint(MailDevResource.HttpEndpointName, url => url.DisplayText = "Inbox")
            .WithUrlForEndpoint(MailDevResource.SmtpEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithTestEmailCommand();
}
