// Measures OtpAuth end to end on this machine and prints the figures as Markdown.
// Speed is measured here, never in tests. Every request goes to loopback; every loop is bounded.
//
//   dotnet run -c Release --project OtpAuth.Benchmarks -- [all|latency|bcrypt|enumeration|flood]
using OtpAuth.Benchmarks;
using OtpAuth.Hosting.Testing;

var which = args.FirstOrDefault() ?? "all";
if (which is "all" or "bcrypt")
{
    BcryptCost.Run();
}

if (which is "bcrypt")
{
    return;
}

Console.WriteLine("Starting the system (the AppHost's own model, random ports)…");
var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.OtpAuth_AppHost>();
await using var app = await appHost.BuildAsync();
using (var startTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
{
    await app.StartAsync(startTimeout.Token);
}

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
