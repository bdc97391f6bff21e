using OtpAuth.Hosting.Resources;

namespace OtpAuth.Hosting.ApplicationModel;

/// <summary>The wiring verbs every resource shares: references, waits, environment.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>
    /// Gives the resource the connection string (<c>ConnectionStrings__{name}</c>) or, for a project, the
    /// service-discovery addresses (<c>services__{name}__http__{i}</c>) of <paramref name="source"/>.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> source)
        where T : Resource
    {
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Holds the resource back until <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency)
        where T : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : Resource
    {
        builder.Resource.EnvironmentCallbacks.Add(context => context.Variables[name] = value);
        return builder;
    }

    /// <summary>Passes a parameter's value (generated secret or configured value) as an environment variable.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ParameterResource parameter)
        where T : Resource
    {
        builder.Resource.EnvironmentCallbacks.Add(context => context.Variables[name] = parameter.Value);
        if (parameter.Secret && builder.Resource is ProjectResource project)
        {
            project.SecretVariables.Add(name);
        }

        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentContext> callback)
        where T : Resource
    {
        builder.Resource.EnvironmentCallbacks.Add(callback);
        return builder;
    }

    /// <summary>Marks every http endpoint of the resource as meant for people (listed at start and in the dashboard).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : Resource
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.Scheme == "http"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }
}
