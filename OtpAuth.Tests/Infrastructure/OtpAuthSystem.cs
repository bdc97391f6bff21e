using System.Globalization;
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
/// Besides the AppHost's resources it runs test-only variants of the Api on the same database and mail:
/// <c>api-fast</c> (codes expire after 3 s, resend cooldown 2 s), <c>api-garnet</c> (on a Garnet server),
/// <see cref="Burst"/> (no resend cooldown), <see cref="Limits"/> (tight limits, two replicas), <see cref="GarnetLogin"/>
/// (a short login throttle on Garnet) and <see cref="MailCap"/> (a service-wide budget of 3 mails a minute).
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
        builder.CreateResourceBuilder<ProjectResource>("api").WithEnvironment("Password__BcryptWorkFactor", "10")
            .WithGenerousClientLimits();

        var garnet = builder.AddGarnet("redis-garnet");
        AddApiVariant(builder, "api-fast", "redis")
            .WithEnvironment("Otp__ExpireSeconds", "3")
            .WithEnvironment("Otp__ResendCooldownSeconds", "2")
            .WithGenerousClientLimits();
        AddApiVariant(builder, "api-garnet", "redis-garnet").WaitFor(garnet).WithGenerousClientLimits();

        // Concurrent registrations of one address that all get past the send reservation, so they race in PostgreSQL.
        AddApiVariant(builder, Burst, "redis")
            .WithEnvironment("Otp__ResendCooldownSeconds", "0")
            .WithEnvironment("Otp__MaxSendsPerHour", "1000")
            .WithEnvironment("RateLimits__Register__PerAddress", "1000")
            .WithGenerousClientLimits();

        // The abuse-resistance tests (OtpAuth.Tests/Security): two replicas sharing a Redis of their own, so their
        // per-client counters start from zero and no other test's requests count against them; tight limits and short
        // windows; no trusted proxy (loopback is not believed, so X-Forwarded-For cannot pick a fresh bucket).
        var limitsRedis = builder.AddRedis(LimitsRedis);
        AddApiVariant(builder, Limits, LimitsRedis).WaitFor(limitsRedis)
            .WithReplicas(2)
            .WithEnvironment("ForwardedHeaders__KnownProxies__0", "192.0.2.1")
            .WithEnvironment("RateLimits__ResendOtp__PerIp", LimitsResendPerIp.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimits__ResendOtp__WindowSeconds", LimitsWindowSeconds.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimits__Register__PerIp", "1000")
            .WithEnvironment("RateLimits__VerifyOtp__PerIp", "1000")
            .WithEnvironment("RateLimits__Login__PerIp", "1000")
            .WithEnvironment("Otp__ResendCooldownSeconds", "1")
            .WithEnvironment("Login__FreeFailures", "3")
            .WithEnvironment("Login__BaseDelaySeconds", "2")
            .WithEnvironment("Login__MaxDelaySeconds", "3")
            .WithEnvironment("Password__MaxConcurrentHashes", "1")
            .WithEnvironment("Password__HashQueueLimit", "1")
            .WithEnvironment("Auth__ConcealExistingAccounts", "true");

        // The login throttle's Lua script on Garnet with waits short enough to watch them double and reach the cap.
        AddApiVariant(builder, GarnetLogin, "redis-garnet").WaitFor(garnet).WithGenerousClientLimits()
            .WithEnvironment("Login__FreeFailures", "3")
            .WithEnvironment("Login__BaseDelaySeconds", "1")
            .WithEnvironment("Login__MaxDelaySeconds", "2");

        // The service-wide mail budget: 3 a minute, counted in a Redis of its own (the budget's counter is one key per
        // Redis, so any other variant's mail would spend it). One test uses this variant, once per run.
        var mailCapRedis = builder.AddRedis("redis-mailcap");
        AddApiVariant(builder, MailCap, "redis-mailcap").WaitFor(mailCapRedis).WithGenerousClientLimits()
            .WithEnvironment("RateLimits__MailsPerMinute", MailCapPerMinute.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>An Api on Garnet whose login throttle frees 3 failures, then waits 1 s doubling up to 2 s.</summary>
    internal const string GarnetLogin = "api-garnet-login";

    /// <summary>An Api whose whole service may send <see cref="MailCapPerMinute"/> mails a minute; for one test only.</summary>
    internal const string MailCap = "api-mailcap";

    internal const int MailCapPerMinute = 3;

    /// <summary>The Api variant without a resend cooldown and with a high per-address send cap and register limit.</summary>
    public const string Burst = "api-burst";

    /// <summary>The Api variant with tight limits, two replicas (<c>api-limits-0</c>, <c>api-limits-1</c>) and its own Redis.</summary>
    public const string Limits = "api-limits";

    public const string LimitsRedis = "redis-limits";

    /// <summary>Resends per client IP per window on <see cref="Limits"/>.</summary>
    public const int LimitsResendPerIp = 4;

    public const int LimitsWindowSeconds = 6;

    /// <summary>An HttpClient for one instance (a replica such as <c>api-limits-1</c>) by its own port.</summary>
    public HttpClient CreateInstanceHttpClient(string instanceName) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{App.Instances.Single(i => i.Name == instanceName).Ports["http"]}") };

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

internal static class TestLimits
{
    /// <summary>
    /// Every test request comes from 127.0.0.1, hundreds of them: per-IP limits, the service-wide mail budget and the
    /// hashing queue are raised so they never refuse one. Per-address limits and the login throttle keep their
    /// defaults (tests use fresh addresses). The tight values are tested on <see cref="OtpAuthSystem.Limits"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGenerousClientLimits(this IResourceBuilder<ProjectResource> api)
    {
        foreach (var endpoint in new[] { "Register", "VerifyOtp", "ResendOtp", "Login", "Me" })
        {
            api.WithEnvironment($"RateLimits__{endpoint}__PerIp", "1000000");
        }

        return api
            .WithEnvironment("RateLimits__MailsPerMinute", "1000000")
            .WithEnvironment("Password__HashQueueLimit", "10000");
    }
}
