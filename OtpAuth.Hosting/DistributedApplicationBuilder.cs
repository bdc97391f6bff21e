using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Hosting;

/// <summary>
/// Composes the application model, the way Aspire's IDistributedApplicationBuilder does: resources are added
/// with <c>Add*</c> extension methods and wired with <c>WithReference</c>/<c>WaitFor</c>; <see cref="Build"/> makes
/// the runnable <see cref="DistributedApplication"/>.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<ParameterResource> _parameters = [];
    private int _nextProjectPort = 8000;

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        AppHostDirectory = options.ProjectDirectory ?? Environment.CurrentDirectory;
        Configuration = new ConfigurationManager();
        Configuration.SetBasePath(AppHostDirectory);
        Configuration.AddJsonFile("appsettings.json", optional: true);
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
        Configuration.AddJsonFile($"appsettings.{environment}.json", optional: true);
        Configuration.AddEnvironmentVariables();
        Configuration.AddCommandLine(options.Args);
    }

    public DistributedApplicationOptions Options { get; }

    /// <summary>appsettings.json, appsettings.{env}.json, environment variables and arguments of the AppHost.</summary>
    public ConfigurationManager Configuration { get; }

    /// <summary>The AppHost project's folder.</summary>
    public string AppHostDirectory { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public IReadOnlyList<ParameterResource> Parameters => _parameters;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    /// <summary>The builder of a resource added earlier (tests use it to change the AppHost's model).</summary>
    public IResourceBuilder<T> CreateResourceBuilder<T>(string name) where T : Resource =>
        _resources.OfType<T>().FirstOrDefault(r => r.Name == name) is { } resource
            ? new ResourceBuilder<T>(resource, this)
            : throw new ArgumentException($"No resource of type {typeof(T).Name} named '{name}'.", nameof(name));

    /// <summary>
    /// A value from configuration (<c>Parameters:{name}</c>); when absent, <paramref name="generatedBytes"/>
    /// random bytes (base64) generated once and kept in the state folder, as Aspire's generated parameters are.
    /// </summary>
    public ParameterResource AddParameter(string name, bool secret = false, int generatedBytes = 32)
    {
        var parameter = new ParameterResource(name, secret, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(generatedBytes)));
        _parameters.Add(parameter);
        return parameter;
    }

    /// <summary>A value from configuration (<c>Parameters:{name}</c>), else <paramref name="defaultValue"/>; never stored.</summary>
    public ParameterResource AddParameter(string name, string defaultValue)
    {
        var parameter = new ParameterResource(name, secret: false, () => defaultValue, defaultValue);
        _parameters.Add(parameter);
        return parameter;
    }

    public DistributedApplication Build()
    {
        // Under DistributedApplicationTestingBuilder the AppHost's Main stops here and the test takes the model.
        TestingInterception.HandOverIfIntercepted(this);
        return BuildCore();
    }

    internal DistributedApplication BuildCore() => new(this);

    internal int NextDefaultProjectPort() => _nextProjectPort++;
}
