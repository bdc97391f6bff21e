using System.Reflection;
using OtpAuth.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Testing;

/// <summary>
/// Builds an AppHost's own application model for a test, as Aspire.Hosting.Testing does:
/// <code>
/// var appHost = await DistributedApplicationTestingBuilder.CreateAsync&lt;Projects.OtpAuth_AppHost&gt;();
/// await using var app = await appHost.BuildAsync();
/// await app.StartAsync();
/// using var http = app.CreateHttpClient("api");
/// </code>
/// Every port is chosen free at random and the state folder is temporary, removed when the app is disposed.
/// </summary>
public sealed class DistributedApplicationTestingBuilder
{
    private DistributedApplicationTestingBuilder(DistributedApplicationBuilder builder) => Builder = builder;

    /// <summary>The AppHost's builder: add or change resources before <see cref="BuildAsync"/>.</summary>
    public DistributedApplicationBuilder Builder { get; }

    public Microsoft.Extensions.Configuration.ConfigurationManager Configuration => Builder.Configuration;

    public IReadOnlyList<Resource> Resources => Builder.Resources;

    /// <summary>Runs the AppHost's Program.cs up to Build() with test options, and returns its model.</summary>
    public static async Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(
        string[]? args = null, Action<DistributedApplicationOptions>? configureOptions = null, CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new()
    {
        var metadata = new TEntryPoint();
        var assembly = Assembly.Load(Path.GetFileNameWithoutExtension(metadata.TargetPath));
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");

        var interception = new TestingInterception(args ?? [], configureOptions);
        var thread = new Thread(() =>
        {
            interception.Install();
            try
            {
                entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
                interception.Fail(new InvalidOperationException($"{assembly.GetName().Name}'s Main returned without calling Build()."));
            }
            catch (TargetInvocationException e) when (e.InnerException is TestingInterception.AppHostEntryPointStopped)
            {
                // The model was handed over: this is how the AppHost's Main ends under test.
            }
            catch (TargetInvocationException e) when (e.InnerException is AggregateException { InnerException: TestingInterception.AppHostEntryPointStopped })
            {
                // The same, from an async Main.
            }
            catch (Exception e)
            {
                interception.Fail(e.InnerException ?? e);
            }
        })
        {
            IsBackground = true,
            Name = "AppHost entry point",
        };
        thread.Start();
        return new DistributedApplicationTestingBuilder(await interception.Builder.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken));
    }

    /// <summary>A model built from scratch (no AppHost) with test options: for tests of the engine itself.</summary>
    public static DistributedApplicationTestingBuilder Create(Action<DistributedApplicationOptions>? configureOptions = null)
    {
        var options = new TestingInterception([], configureOptions).CreateOptions([], Environment.CurrentDirectory);
        return new DistributedApplicationTestingBuilder(DistributedApplication.CreateBuilder(options));
    }

    public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Builder.BuildCore());
}
