using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.MailDev;

/// <summary>
/// maildev 2.2.1: a development SMTP server that catches every message, with a web inbox and a REST API
/// (<c>GET /email</c>, <c>DELETE /email/all</c>), run with Node.js from a pinned install.
/// </summary>
public sealed class MailDevResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string SmtpEndpointName = "smtp";
    public const string HttpEndpointName = "http";

    public EndpointReference SmtpEndpoint => field ??= new(this, SmtpEndpointName);

    /// <summary><c>smtp://host:port</c>: plain SMTP, which the Api speaks only to a server on this machine.</summary>
    public ReferenceExpression ConnectionStringExpression => MailDevConnectionString.For(SmtpEndpoint);
}

/// <summary>The same mail server as a container (<c>docker.io/maildev/maildev:2.2.1</c>), for machines with an engine.</summary>
public sealed class MailDevContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public EndpointReference SmtpEndpoint => field ??= new(this, MailDevResource.SmtpEndpointName);

    public ReferenceExpression ConnectionStringExpression => MailDevConnectionString.For(SmtpEndpoint);
}

internal static class MailDevConnectionString
{
    public static ReferenceExpression For(EndpointReference smtp) =>
        ReferenceExpression.Create($"smtp://{smtp.Property(EndpointProperty.Host)}:{smtp.Property(EndpointProperty.Port)}");
}
