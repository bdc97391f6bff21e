using OtpAuth.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Resources;

/// <summary>A .NET project of the solution, run as its own OS process from its build output.</summary>
public sealed class ProjectResource : Resource
{
    public ProjectResource(string name, IProjectMetadata metadata, int defaultPort) : base(name)
    {
        Metadata = metadata;
        Endpoints.Add(new EndpointAnnotation("http", "http", defaultPort, containerPort: defaultPort));
    }

    public override string Type => "project";

    public IProjectMetadata Metadata { get; }

    public int Replicas { get; internal set; } = 1;

    /// <summary>Environment variables whose values are masked wherever the environment is shown.</summary>
    public HashSet<string> SecretVariables { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string ProjectDirectory => Path.GetDirectoryName(Metadata.ProjectPath)!;
}

public static class ProjectBuilderExtensions
{
    /// <summary>Adds a project of the solution by its generated metadata class, e.g. <c>AddProject&lt;Projects.OtpAuth_Api&gt;("api")</c>.</summary>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name, int? port = null)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject(), port ?? builder.NextDefaultProjectPort()));

    /// <summary>Runs <paramref name="replicas"/> processes (<c>name-0</c>, <c>name-1</c>…), each on its own port.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }
}
