using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OtpAuth.Hosting;
using OtpAuth.Hosting.ApplicationModel;
using OtpAuth.Hosting.Resources;
using OtpAuth.Hosting.Testing;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// Stop, start and restart through <c>POST /api/resources/{name}/...</c>, on a small application of this class's own
/// (Redis and the Web project), so stopping things does not disturb the shared system other tests use.
/// </summary>
public sealed class ResourceControlTests : IAsyncLifetime
{
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(60);
    private DistributedApplication app = null!;
    private DashboardClient dashboard = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Builder.AddRedis("redis");
        // The Web starts without an Api (its health does not depend on one); the address only has to be well-formed.
        builder.Builder.AddProject<Projects.OtpAuth_Web>("web").WithEnvironment("services__api__http__0", "http://127.0.0.1:9");
        app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.StartAsync(timeout.Token);
        dashboard = new DashboardClient(app.DashboardUrl!);
    }

    public async ValueTask DisposeAsync()
    {
        dashboard?.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Restart_through_the_resource_API_gives_a_new_process_that_becomes_healthy()
    {
        var before = await ResourceAsync("web");
        var pid = before.GetProperty("pid").GetInt32();

        using var response = await dashboard.Http.PostAsync("/api/resources/web/restart", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var after = await WaitForAsync("web", r => r.GetProperty("health").GetString() == "healthy" && r.GetProperty("pid").GetInt32() != pid);
        Assert.True(after.GetProperty("state").GetString() == "running",
            $"{after}\n{string.Join('\n', app.GetLogs("web").TakeLast(30).Select(l => $"{l.Timestamp:HH:mm:ss.fff} {l.Stream} {l.Text}"))}");
        Assert.Equal(before.GetProperty("restarts").GetInt32() + 1, after.GetProperty("restarts").GetInt32());
        using var web = app.CreateHttpClient("web");
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Stop_then_start_is_reflected_in_the_state_and_in_the_live_stream()
    {
        using var stream = await dashboard.Http.GetAsync("/api/resources/stream", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var events = new ResourceEvents(await stream.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.Equal("running", State(await events.NextAsync(), "redis"));

        using (var stop = await dashboard.Http.PostAsync("/api/resources/redis/stop", null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        }

        await WaitForAsync("redis", r => r.GetProperty("state").GetString() == "exited");
        await events.WaitForAsync(resources => State(resources, "redis") == "exited", StateTimeout); // pushed, not polled for

        using (var start = await dashboard.Http.PostAsync("/api/resources/redis/start", null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        var started = await WaitForAsync("redis", r => r.GetProperty("state").GetString() == "running" && r.GetProperty("health").GetString() == "healthy");
        Assert.True(started.GetProperty("restarts").GetInt32() >= 1);
    }

    [Fact]
    public async Task An_unknown_resource_answers_404_naming_the_known_ones()
    {
        using var response = await dashboard.Http.PostAsync("/api/resources/nope/restart", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("redis", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<JsonElement> ResourceAsync(string name) =>
        (await dashboard.GetAsync("/api/resources")).EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        var last = await ResourceAsync(name);
        while (!condition(last))
        {
            Assert.True(clock.Elapsed < StateTimeout, $"{name} did not reach the expected state within {StateTimeout.TotalSeconds} s: {last}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
            last = await ResourceAsync(name);
        }

        return last;
    }

    private static string? State(JsonElement resources, string name) =>
        resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).GetProperty("state").GetString();

    /// <summary>Reads the <c>resources</c> events of <c>/api/resources/stream</c>.</summary>
    private sealed class ResourceEvents(Stream stream) : IDisposable
    {
        private readonly StreamReader reader = new(stream);

        public void Dispose() => reader.Dispose();

        public async Task<JsonElement> NextAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(StateTimeout);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    return JsonDocument.Parse(line["data: ".Length..]).RootElement;
                }
            }

            throw new EndOfStreamException("The resource stream ended.");
        }

        public async Task WaitForAsync(Func<JsonElement, bool> condition, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!condition(await NextAsync()))
            {
                Assert.True(clock.Elapsed < timeout, "the stream did not show the change in time");
            }
        }
    }
}
