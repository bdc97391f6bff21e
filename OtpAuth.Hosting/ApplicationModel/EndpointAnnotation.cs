namespace OtpAuth.Hosting.ApplicationModel;

/// <summary>A network endpoint of a resource. The port is chosen when the application starts.</summary>
public sealed class EndpointAnnotation(string name, string scheme, int defaultPort, int containerPort)
{
    public string Name { get; } = name;

    /// <summary>URL scheme: http, tcp, smtp.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>The port people know (5432, 8000…); taken when free, else the next free one.</summary>
    public int DefaultPort { get; set; } = defaultPort;

    /// <summary>The port inside a container image, when the resource runs as a container.</summary>
    public int ContainerPort { get; } = containerPort;

    /// <summary>Reachable from outside the application model (the ones printed for people).</summary>
    public bool IsExternal { get; set; }

    /// <summary>The host port in use, once allocated.</summary>
    public int? Port { get; internal set; }

    public string Host { get; } = "127.0.0.1";

    public string Url => Port is { } port
        ? $"{Scheme}://{Host}:{port}"
        : throw new InvalidOperationException($"Endpoint '{Name}' has no port yet: the application has not started.");
}
