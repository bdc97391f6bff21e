using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// A register → verify → login run through the Web, each request sent with a W3C <c>traceparent</c> of a trace id
/// chosen here, so the test knows which traces in the dashboard are its own.
/// </summary>
internal sealed record TracedFlow(string Email, string RegisterTraceId, string VerifyTraceId, string LoginTraceId)
{
    public static async Task<TracedFlow> RunAsync(DashboardSystem system, CancellationToken cancellationToken)
    {
        var email = $"dashboard-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery staple";
        using var web = new HttpClient { BaseAddress = system.App.GetEndpoint("web", "http") };
        var flow = new TracedFlow(email, NewTraceId(), NewTraceId(), NewTraceId());

        var registered = await SendAsync(web, "/auth/register", new { email, password }, flow.RegisterTraceId, HttpStatusCode.Accepted, cancellationToken);
        var registrationId = registered.GetProperty("registration_id").GetString();
        var code = await system.Mail.WaitForCodeAsync(email, cancellationToken);
        await SendAsync(web, "/auth/verify-otp", new { email, code, registration_id = registrationId }, flow.VerifyTraceId, HttpStatusCode.OK, cancellationToken);
        await SendAsync(web, "/auth/login", new { email, password }, flow.LoginTraceId, HttpStatusCode.OK, cancellationToken);
        return flow;
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, string path, object body, string traceId, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == expected, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();
}
