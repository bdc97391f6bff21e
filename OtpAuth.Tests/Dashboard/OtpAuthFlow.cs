using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Dashboard;

/// <summary>
/// A register → verify → login run against the Api, each request sent with a W3C <c>traceparent</c> of a trace id
/// chosen here, so the test knows which traces in the dashboard are its own among everyone else's.
/// </summary>
internal sealed record OtpAuthFlow(string Email, string RegisterTraceId, string VerifyTraceId, string LoginTraceId)
{
    public IEnumerable<string> TraceIds => [RegisterTraceId, VerifyTraceId, LoginTraceId];

    public static async Task<OtpAuthFlow> RunAsync(OtpAuthSystem system, string resource = "api")
    {
        var email = $"dashboard-{Guid.NewGuid():N}@example.com";
        const string password = "correct horse battery staple";
        using var api = system.App.CreateHttpClient(resource);
        var flow = new OtpAuthFlow(email, NewTraceId(), NewTraceId(), NewTraceId());

        await SendAsync(api, "/auth/register", new { email, password }, flow.RegisterTraceId, HttpStatusCode.Accepted);
        var code = await system.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);
        await SendAsync(api, "/auth/verify-otp", new { email, code }, flow.VerifyTraceId, HttpStatusCode.OK);
        await SendAsync(api, "/auth/login", new { email, password }, flow.LoginTraceId, HttpStatusCode.OK);
        return flow;
    }

    private static async Task SendAsync(HttpClient api, string path, object body, string traceId, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected,
            $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    private static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();
}
