using OtpAuth.Hosting;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Resources;
using OtpAuth.Hosting.Testing;
using OtpAuth.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(OtpAuthSystem))]

namespace OtpAuth.Tests.Infrastructure;

/// <summary>
/// The whole OtpAuth system, started once per test run from the AppHost's own Program.cs (real PostgreSQL,
/// Redis and SMTP, random ports, temporary state) and shared by every test; tests isolate by unique addresses.
/// Besides the AppHost's resources it runs two test-only variants of the Api on the same database and mail:
/// <c>api-fast</c> (codes expire after 3 s, resend cooldown 2 s) and <c>api-garnet</c> (on a Garnet server).
/// </summary>
public sealed class OtpAuthSystem : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    public MailInbox Mail { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(cancellationToken: timeout.Token);
        AddTestVariants(appHost.Builder);

        _app = await appHost.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        Mail = new MailInbox(_app.CreateHttpClient("mail"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    public HttpClient CreateHttpClient(string resourceName) => App.CreateHttpClient(resourceName);

    public Uri GetEndpoint(string resourceName, string endpointName = "http") => App.GetEndpoint(resourceName, endpointName);

    public Task<string?> GetConnectionStringAsync(string name, CancellationToken cancellationToken = default) =>
        App.GetConnectionStringAsync(name, cancellationToken);

    public Task StopResourceAsync(string name, CancellationToken cancellationToken = default) =>
        App.StopResourceAsync(name).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

    public Task StartResourceAsync(string name, CancellationToken cancellationToken = default) =>
        App.StartResourceAsync(name, cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);

    public Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        App.WaitForResourceHealthyAsync(name, cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);

    /// <summary>A variable exactly as the AppHost gave it to a resource (secrets included: tests need the signing key).</summary>
    public string GetEnvironmentValue(string resourceName, string variable) =>
        App.Instances.First(i => i.Name == resourceName || i.ReplicaOf == resourceName).Environment.TryGetValue(variable, out var value)
            ? value
            : throw new ArgumentException($"'{resourceName}' was not given {variable}.", nameof(variable));

    private static void AddTestVariants(DistributedApplicationBuilder builder)
    {
        // bcrypt at 10 instead of 12: four times cheaper, and no test here is about the work factor.
        builder.CreateResourceBuilder<ProjectResource>("api").WithEnvironment("Password__BcryptWorkFactor", "10");

        var garnet = builder.AddGarnet("redis-garnet");
        AddApiVariant(builder, "api-fast", "redis")
            .WithEnvironment("Otp__ExpireSeconds", "3")
            .WithEnvironment("Otp__ResendCooldownSeconds", "2");
        AddApiVariant(builder, "api-garnet", "redis-garnet").WaitFor(garnet);
    }

    /// <summary>Another Api process wired like the AppHost's <c>api</c>, with its Redis taken from <paramref name="redisName"/>.</summary>
    private static IResourceBuilder<ProjectResource> AddApiVariant(DistributedApplicationBuilder builder, string name, string redisName)
    {
        var database = builder.CreateResourceBuilder<PostgresDatabaseResource>("otpauth");
        var mail = builder.CreateResourceBuilder<MailDevResource>("mail");
        var redis = builder.CreateResourceBuilder<RedisResource>(redisName);
        var parameters = builder.Parameters.ToDictionary(p => p.Name);
        return builder.AddProject<Projects.OtpAuth_Api>(name)
            .WithReference(database).WaitFor(database)
            .WithReference(mail).WaitFor(mail)
            .WaitFor(redis)
            .WithEnvironment(context => context.Variables["ConnectionStrings__redis"] = redis.Resource.GetConnectionString()!)
            .WithEnvironment("Jwt__SigningKey", parameters["jwt-signing-key"])
            .WithEnvironment("Otp__HashKey", parameters["otp-hash-key"])
            .WithEnvironment("Password__BcryptWorkFactor", "10");
    }
}
