// Measures OtpAuth end to end on this machine and prints the figures as Markdown.
// Speed is measured here, never in tests. Every request goes to loopback; every loop is bounded.
//
//   dotnet run -c Release --project OtpAuth.Benchmarks -- [all|latency|bcrypt|strength|enumeration|flood]   (FLOOD_API_ENV: extra Api settings)
//   dotnet run -c Release --project OtpAuth.Benchmarks -- conceal   (a system of its own, with Auth:ConcealExistingAccounts on)
//   dotnet run -c Release --project OtpAuth.Benchmarks -- load [cost] [concurrency] [seconds]   (side by side with the peer)
using OtpAuth.Benchmarks;
using OtpAuth.Tests.Infrastructure;

var which = args.FirstOrDefault() ?? "all";
if (which is "load")
{
    await OtpAuth.Benchmarks.Load.SideBySide.RunAsync(args);
    return;
}

if (which is "all" or "bcrypt")
{
    BcryptCost.Run();
}

if (which is "all" or "strength")
{
    StrengthCost.Run();
}

if (which is "bcrypt" or "strength")
{
    return;
}

Console.WriteLine("Starting the system (the AppHost's own model, random ports)…");
var state = Directory.CreateTempSubdirectory("otpauth-bench-");
var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>(TestApp.Arguments(state.FullName));
// Every benchmark request comes from 127.0.0.1: raise the per-IP limits and the mail budget, and let one account take
// the timing benchmark's 30 wrong passwords, so the figures measure the work (bcrypt, SMTP), not the refusals.
// The hashing bound (Password:MaxConcurrentHashes, HashQueueLimit) stays at its default: the flood measures it.
var api = appHost.CreateResourceBuilder<IResourceWithEnvironment>("api");
foreach (var endpoint in new[] { "Register", "VerifyOtp", "ResendOtp", "Login", "Me", "Refresh", "ForgotPassword", "ResetPassword" })
{
    api.WithEnvironment($"RateLimits__{endpoint}__PerIp", "1000000").WithEnvironment($"RateLimits__{endpoint}__PerAddress", "1000000")
        .WithEnvironment($"RateLimits__{endpoint}__AddressCeiling", "0");
}

api.WithEnvironment("RateLimits__MailsPerMinute", "1000000")
    .WithEnvironment("Login__FreeFailures", "100")
    .WithEnvironment("Login__MaxConsecutiveFailures", "100");
if (which is "conceal")
{
    // Not part of "all": the setting changes what every other mode measures.
    ConcealTiming.Configure(api);
}

ApiEnvironment.Apply(api, "FLOOD_API_ENV"); // e.g. FLOOD_API_ENV="Password__HashQueueLimit=8" to try a gate setting
await using var app = await appHost.BuildAsync();
await AppStartup.StartHealthyAsync(app, TimeSpan.FromMinutes(4));

var system = new SystemUnderTest(app);
if (which is "all" or "latency")
{
    await EndpointLatency.RunAsync(system);
}

if (which is "all" or "enumeration")
{
    await LoginTiming.RunAsync(system);
}

if (which is "all" or "flood")
{
    await LoginFlood.RunAsync(system);
}

if (which is "conceal")
{
    await ConcealTiming.RunAsync(system);
}

await app.StopAsync();
AppStartup.DeleteStateDirectory(state);
