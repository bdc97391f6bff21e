using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace OtpAuth.Tests.Dashboard;

/// <summary>The dashboard's JSON, as a script would read it, with a bounded poll for telemetry that arrives a second or so late.</summary>
internal sealed class DashboardClient(Uri dashboard) : IDisposable
{
    public static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(30);

    public HttpClient Http { get; } = new() { BaseAddress = dashboard };

    public async Task<JsonElement> GetAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    /// <summary>Reads <paramref name="path"/> until <paramref name="found"/> holds, or fails with the last answer after the timeout.</summary>
    public async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> found, string what)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last = default;
        while (clock.Elapsed < TelemetryTimeout)
        {
            using var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
                if (found(last))
                {
                    return last;
                }
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"{what}: not seen in {path} within {TelemetryTimeout.TotalSeconds} s. Last answer: {(last.ValueKind == JsonValueKind.Undefined ? "none" : Truncate(last.GetRawText()))}");
        return last;
    }

    public void Dispose() => Http.Dispose();

    private static string Truncate(string text) => text.Length > 4000 ? text[..4000] + "…" : text;
}
