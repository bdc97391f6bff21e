using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace OtpAuth.Hosting;

public static class PublishedWebApps
{
    /// <summary>
    /// An ASP.NET Core app from its published executable (a Native AOT build has no project to run), wired as Aspire
    /// wires a project: an <c>http</c> endpoint Kestrel listens on, and the OTLP exporter's settings.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddPublishedWebApp(this IDistributedApplicationBuilder builder, string name, string executable, int? port)
    {
        var path = Path.GetFullPath(executable); // as given on the command line: relative to the current directory
        if (!File.Exists(path))
        {
            throw new DistributedApplicationException($"{name}: {path} does not exist. Publish it first (OtpAuth.Api/publish-aot.sh).");
        }

        var app = builder.AddExecutable(name, path, Path.GetDirectoryName(path)!)
            .WithHttpEndpoint(port: port, name: "http")
            .WithOtlpExporter();
        // Aspire gives a project ASPNETCORE_URLS; an executable only its port, which Kestrel must be told.
        var http = app.GetEndpoint("http");
        return app.WithEnvironment("ASPNETCORE_URLS", ReferenceExpression.Create($"http://localhost:{http.Property(EndpointProperty.TargetPort)}"));
    }
}
