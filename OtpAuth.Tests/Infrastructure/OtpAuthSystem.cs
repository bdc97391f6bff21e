using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OtpAuth.Hosting;
using OtpAuth.Hosting.Redis;
using OtpAuth.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(OtpAuthSystem))]

namespace OtpAuth.Tests.Infrastructure;

/// <summary>
/// The whole OtpAuth system, started once per test run from the AppHost's own model through Aspire.Hosting.Testing
/// (real PostgreSQL, Redis and SMTP, random ports, a state folder of its own) and shared by every test; tests isolate
/// by unique addresses. Besides the AppHost's resources it runs test-only variants of the Api on the same database and
/// mail server: <c>api-fast</c> (codes expire after 3 s, resend cooldown 2 s, a sign-in is recent for 3 s), <see cref="Burst"/> (no resend
/// cooldown), <see cref="Garnet"/> (on Garnet, with a short login throttle), <see cref="Limits"/> (tight limits, two
/// replicas on a Redis of their own), <see cref="MailCap"/> (a shared budget of 3 mails a minute, 1 per network) and
/// <see cref="Reauth"/> (a sign-in is recent for 30 s); a second Web, <see cref="EdgeWeb"/>, that trusts no
/// proxy a test can be; a third, <see cref="ReauthWeb"/>, in front of <see cref="Reauth"/>; and a fourth,
/// <see cref="PasswordOnlyWeb"/>, in front of <see cref="Rotation"/>, whose Api has sign-in by emailed code off.
/// </summary>
public sealed class OtpAuthSystem : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("otpauth-tests-");
    private readonly List<string> _apis = ["api"];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system has not started.");

    public MailInbox Mail { get; private set; } = null!;

    /// <summary>Every Api process of the system: the AppHost's <c>api</c> and the test variants.</summary>
    public IReadOnlyList<string> Apis => _apis;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(TestApp.Arguments(_state.FullName), timeout.Token);
        AddTestVariants(appHost);

        _app = await appHost.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await AppStartup.WaitForAllHealthyAsync(_app, timeout.Token);
        Mail = new MailInbox(CreateHttpClient("mail"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        AppStartup.DeleteStateDirectory(_state);
    }

    /// <summary>
    /// A plain client on the resource's endpoint. Not the testing builder's own client: that one has the standard
    /// resilience handler, which retries 429 and 503 by itself and so hides exactly what many tests check.
    /// </summary>
    public HttpClient CreateHttpClient(string resourceName) => new() { BaseAddress = GetEndpoint(resourceName) };

    public Uri GetEndpoint(string resourceName, string endpointName = "http") => App.GetEndpoint(resourceName, endpointName);

    public async Task<string?> GetConnectionStringAsync(string name, CancellationToken cancellationToken = default) =>
        await App.GetConnectionStringAsync(name, cancellationToken);

    public Task StopResourceAsync(string name, CancellationToken cancellationToken = default) =>
        AppStartup.ExecuteAsync(App, name, KnownResourceCommands.StopCommand, cancellationToken);

    public Task StartResourceAsync(string name, CancellationToken cancellationToken = default) =>
        AppStartup.ExecuteAsync(App, name, KnownResourceCommands.StartCommand, cancellationToken);

    public Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        AppStartup.WaitForHealthyAsync(App, name, cancellationToken);

    /// <summary>
    /// The Api variant whose codes live 3 s, with a resend cooldown of 2 s, a purge of expired registrations every second
    /// and a refresh reuse grace of 1 s.
    /// </summary>
    public const string Fast = "api-fast";

    /// <summary>The Api variant with <c>Auth:ConcealExistingAccounts</c> on (and no resend cooldown).</summary>
    public const string Conceal = "api-conceal";

    /// <summary>An Api on Garnet whose login throttle frees 3 failures, then waits 3 s doubling up to 6 s.</summary>
    public const string Garnet = "api-garnet";

    /// <summary>
    /// An Api whose shared mail budget is <see cref="MailCapPerMinute"/> mails a minute, of which one network may take
    /// <see cref="MailCapPerNetworkPerMinute"/>, under a ceiling of <see cref="MailCapCeilingPerMinute"/>; for
    /// <c>MailCapTests</c> only.
    /// </summary>
    public const string MailCap = "api-mailcap";

    public const int MailCapPerMinute = 3;

    public const int MailCapPerNetworkPerMinute = 1;

    /// <summary>Above any flood of first mails the tests send, so only the shared budget and the shares refuse there.</summary>
    public const int MailCapCeilingPerMinute = 1000;

    /// <summary>
    /// The Api variant without a resend cooldown and with a high per-address send cap and register limit, whose codes are
    /// long after <see cref="BurstFailuresBeforeLongCodes"/> wrong ones; its issuer is <c>otpauth</c>, not a URL; its
    /// second factors are short-lived and few (<see cref="BurstMfaChallengeSeconds"/>, <see cref="BurstMfaFailures"/>).
    /// </summary>
    public const string Burst = "api-burst";

    public const int BurstFailuresBeforeLongCodes = 12;

    /// <summary>How long an mfa_token of <see cref="Burst"/> lives, and how many wrong second factors its accounts may take.</summary>
    public const int BurstMfaChallengeSeconds = 3;

    public const int BurstMfaFailures = 3;

    /// <summary>The Api variant with tight limits, as two replicas (<c>api-limits-0</c>, <c>api-limits-1</c>) on a Redis of their own.</summary>
    public const string Limits = "api-limits";

    /// <summary>
    /// An Api whose signing key rotates every 26 seconds; it also runs with <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>,
    /// <see cref="ForgotPasswordPerIp"/> forgot-password requests per client an hour, and <c>Auth:EmailCodeSignIn</c> off.
    /// </summary>
    public const string Rotation = "api-rotation";

    /// <summary>A Web whose <c>/auth/*</c> goes to <see cref="Rotation"/>: a page whose Api signs in with a password only.</summary>
    public const string PasswordOnlyWeb = "web-password-only";

    public const int ForgotPasswordPerIp = 20;

    /// <summary>
    /// The AppHost's Api with <c>Auth:RecentAuthenticationMinutes</c> at <see cref="ReauthMinutes"/>: a session is too old
    /// for an email change or a deletion that soon, so a browser test sees the "confirm it's you" step without waiting ten
    /// minutes. (<see cref="Fast"/>'s 3 s is too short for a person's steps: its codes also expire in 3 s.)
    /// </summary>
    public const string Reauth = "api-reauth";

    public const double ReauthMinutes = 0.5;

    /// <summary>A Web whose <c>/auth/*</c> goes to <see cref="Reauth"/> instead of "api" (the browser tests of that step).</summary>
    public const string ReauthWeb = "web-reauth";

    /// <summary>A Web in front of "api" that believes X-Forwarded-For only from 10.99.0.0/16, where no test connects from.</summary>
    public const string EdgeWeb = "web-edge";

    private const string ForwardedHeadersSwitch = "ASPNETCORE_FORWARDEDHEADERS_ENABLED";

    /// <summary>Resends per client IP per window on <see cref="Limits"/>.</summary>
    public const int LimitsResendPerIp = 4;

    public const int LimitsWindowSeconds = 6;

    /// <summary>An HttpClient for one replica (<c>api-limits-0</c> or <c>api-limits-1</c>).</summary>
    public HttpClient CreateInstanceHttpClient(string instanceName) => CreateHttpClient(instanceName);

    private void AddTestVariants(IDistributedApplicationTestingBuilder appHost)
    {
        IDistributedApplicationBuilder builder = appHost;
        // bcrypt at 10 instead of 12: four times cheaper, and no test here is about the work factor. The framework's
        // forwarded-headers switch on, as Aspire's publisher and deploy/k8s set it: the Api must not believe more for it.
        builder.CreateResourceBuilder<IResourceWithEnvironment>("api").WithEnvironment("Password__BcryptWorkFactor", "10")
            .WithEnvironment(ForwardedHeadersSwitch, "true")
            .WithGenerousClientLimits();

        // A second Web whose trusted ingress is a network no test connects from, so a header sent to it is not believed.
        builder.AddProject<Projects.OtpAuth_Web>(EdgeWeb)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithReference(builder.CreateResourceBuilder<IResourceWithEndpoints>("api").GetEndpoint("http"))
            .WithEnvironment("ForwardedHeaders__KnownNetworks__0", "10.99.0.0/16");

        AddApiVariant(builder, Fast, "redis")
            .WithEnvironment("Otp__ExpireSeconds", "3")
            .WithEnvironment("Otp__ResendCooldownSeconds", "2")
            .WithEnvironment("Registration__PurgeIntervalSeconds", "1")
            .WithEnvironment("Sessions__RefreshReuseGraceSeconds", "1")
            .WithEnvironment("Auth__RecentAuthenticationMinutes", "0.05") // 3 s: a session goes stale within a test
            .WithGenerousClientLimits();

        // Concurrent registrations of one address that all get past the send reservation, so they race in PostgreSQL.
        AddApiVariant(builder, Burst, "redis")
            .WithEnvironment("Otp__ResendCooldownSeconds", "0")
            .WithEnvironment("Otp__MaxSendsPerHour", "1000")
            .WithEnvironment("Otp__MaxSendsPerAddressPerHour", "1000000")
            .WithEnvironment("RateLimits__Register__PerAddress", "1000")
            .WithEnvironment("RateLimits__Register__AddressCeiling", "0")
            .WithEnvironment("Otp__MaxFailuresBeforeLongCodes", BurstFailuresBeforeLongCodes.ToString(CultureInfo.InvariantCulture))
            .WithGenerousClientLimits()
            .WithEnvironment("Mfa__ChallengeSeconds", BurstMfaChallengeSeconds.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Mfa__MaxConsecutiveFailures", BurstMfaFailures.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Jwt__Issuer", "otpauth"); // not a URL (allowed in Development): DiscoveryTests

        // The code rules and the login throttle's Lua scripts on Garnet, with waits short enough to watch them double
        // and long enough that two logins in a row cannot outlast them on a busy CI machine (1 s did, once).
        builder.AddLocalGarnet("redis-garnet");
        AddApiVariant(builder, Garnet, "redis-garnet").WithGenerousClientLimits()
            .WithEnvironment("Login__FreeFailures", "3")
            .WithEnvironment("Login__BaseDelaySeconds", "3")
            .WithEnvironment("Login__MaxDelaySeconds", "6");

        // The abuse-resistance tests (OtpAuth.Tests/Security): two replicas sharing a Redis of their own, so their
        // per-client counters start from zero and no other test's requests count against them; tight limits and short
        // windows; no trusted proxy (loopback is not believed, so X-Forwarded-For cannot pick a fresh bucket).
        builder.AddLocalRedis("redis-limits");
        foreach (var replica in new[] { Limits + "-0", Limits + "-1" })
        {
            AddApiVariant(builder, replica, "redis-limits")
                .WithEnvironment("ForwardedHeaders__KnownProxies__0", "192.0.2.1")
                .WithEnvironment("RateLimits__ResendOtp__PerIp", LimitsResendPerIp.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("RateLimits__ResendOtp__WindowSeconds", LimitsWindowSeconds.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("RateLimits__Register__PerIp", "1000")
                .WithEnvironment("RateLimits__VerifyOtp__PerIp", "1000")
                .WithEnvironment("RateLimits__Login__PerIp", "1000")
                .WithEnvironment("Otp__ResendCooldownSeconds", "1")
                // Every request here comes from loopback, one network: its share is the whole shared mail budget.
                .WithEnvironment("RateLimits__MailsPerNetworkPerMinute", "60")
                .WithEnvironment("Login__FreeFailures", "3")
                .WithEnvironment("Login__BaseDelaySeconds", "2")
                .WithEnvironment("Login__MaxDelaySeconds", "3")
                .WithEnvironment("Password__MaxConcurrentHashes", "1")
                .WithEnvironment("Password__InterleavedHashes", "1") // one hash at a time: a small burst fills the gate
                .WithEnvironment("Password__HashQueueLimit", "1");
        }

        // Auth:ConcealExistingAccounts, with no resend cooldown and room for the timing comparisons of its tests.
        AddApiVariant(builder, Conceal, "redis").WithGenerousClientLimits()
            .WithEnvironment("Auth__ConcealExistingAccounts", "true")
            .WithEnvironment("Otp__ResendCooldownSeconds", "0")
            .WithEnvironment("Otp__MaxSendsPerHour", "1000")
            .WithEnvironment("Otp__MaxSendsPerAddressPerHour", "1000000");

        // A signing key that changes every 26 s (checked every 1.3 s), so a test sees a key retire while still published.
        // Also the framework's forwarded-headers switch on with no proxy configured, and a forgot-password limit per
        // client that ForwardedClientTests spend (KeyRotationTests never ask for a reset). And sign-in by emailed code
        // turned off (SignInCodeTests, and the browser through PasswordOnlyWeb).
        AddApiVariant(builder, Rotation, "redis").WithGenerousClientLimits()
            .WithEnvironment("Auth__EmailCodeSignIn", "false")
            .WithEnvironment("Jwt__KeyRotationDays", "0.0003")
            .WithEnvironment(ForwardedHeadersSwitch, "true")
            .WithEnvironment("RateLimits__ForgotPassword__PerIp", ForgotPasswordPerIp.ToString(CultureInfo.InvariantCulture));

        // The mail budget: 3 shared mails a minute, 1 of them per network, counted in a Redis of its own (the budget's
        // counters are one set per Redis, so any other variant's mail would spend them). Only MailCapTests use it.
        builder.AddLocalRedis("redis-mailcap");
        AddApiVariant(builder, MailCap, "redis-mailcap").WithGenerousClientLimits()
            .WithEnvironment("RateLimits__MailsPerMinute", MailCapPerMinute.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimits__MailsPerNetworkPerMinute", MailCapPerNetworkPerMinute.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RateLimits__MailsPerMinuteCeiling", MailCapCeilingPerMinute.ToString(CultureInfo.InvariantCulture));

        // The AppHost's Api plus a short recent-sign-in window, and a Web in front of it.
        AddApiVariant(builder, Reauth, "redis").WithGenerousClientLimits()
            .WithEnvironment("Auth__RecentAuthenticationMinutes", ReauthMinutes.ToString(CultureInfo.InvariantCulture));
        AddWebInFrontOf(builder, ReauthWeb, Reauth);
        AddWebInFrontOf(builder, PasswordOnlyWeb, Rotation);
    }

    /// <summary>
    /// A Web whose proxy sends to http://api, which service discovery resolves from services__api__http__0: here the
    /// endpoint of <paramref name="apiName"/>.
    /// </summary>
    private static void AddWebInFrontOf(IDistributedApplicationBuilder builder, string name, string apiName)
    {
        builder.AddProject<Projects.OtpAuth_Web>(name)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithEnvironment("services__api__http__0", builder.CreateResourceBuilder<IResourceWithEndpoints>(apiName).GetEndpoint("http"));
    }

    /// <summary>
    /// Another instance of the AppHost's Api, wired as the AppHost wires its <c>api</c> but with its Redis taken from
    /// <paramref name="redisName"/>, and bcrypt at 10 as every test Api.
    /// </summary>
    private IResourceBuilder<IResourceWithEnvironment> AddApiVariant(IDistributedApplicationBuilder builder, string name, string redisName)
    {
        _apis.Add(name);
        var wiring = builder.GetOtpAuthApiWiring() with { Redis = builder.CreateResourceBuilder<IResourceWithConnectionString>(redisName) };
        var api = builder.AddProject<Projects.OtpAuth_Api>(name).WithHttpEndpoint()
            .WithOtpAuthApiWiring(wiring)
            .WithEnvironment("Password__BcryptWorkFactor", "10");
        if (builder.GetPasskeyOrigin() is { } web)
        {
            api.WithPasskeyOrigin(web);
        }

        return builder.CreateResourceBuilder<IResourceWithEnvironment>(api.Resource);
    }
}

internal static class TestLimits
{
    /// <summary>
    /// Every test request comes from 127.0.0.1, hundreds of them: per-IP limits, the service-wide mail budget and the
    /// hashing queue are raised so they never refuse one. Per-address limits and the login throttle keep their
    /// defaults (tests use fresh addresses). The tight values are tested on <see cref="OtpAuthSystem.Limits"/>.
    /// </summary>
    public static IResourceBuilder<IResourceWithEnvironment> WithGenerousClientLimits(this IResourceBuilder<IResourceWithEnvironment> api)
    {
        foreach (var endpoint in Enum.GetValues<OtpAuth.Api.RateLimiting.RateLimitedEndpoint>())
        {
            api.WithEnvironment($"RateLimits__{endpoint}__PerIp", "1000000");
        }

        return api
            .WithEnvironment("RateLimits__MailsPerMinute", "1000000")
            .WithEnvironment("Password__HashQueueLimit", "10000");
    }
}
