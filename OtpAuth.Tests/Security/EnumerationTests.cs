using System.Net;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Answers do not tell whether an address has an account: same status, same body (less the per-request trace id).
/// The time of each is compared in OtpAuth.Benchmarks (LoginTiming), not here.
/// </summary>
public sealed class EnumerationTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task Login_answers_alike_for_an_unknown_address_and_a_wrong_password()
    {
        var known = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(known);

        using var wrongPassword = await _client.LoginAsync(known, "not the right one at all");
        using var unknown = await _client.LoginAsync(AuthClient.NewAddress(), "not the right one at all");

        await AssertSameAnswerAsync(wrongPassword, unknown, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Resend_answers_alike_for_a_pending_a_verified_and_an_unknown_address()
    {
        // On api-fast (cooldown 2 s), so the pending address's registration mail is out of the way.
        using var fast = new AuthClient(system, "api-fast");
        var pending = AuthClient.NewAddress();
        using (var registered = await fast.RegisterAsync(pending))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var verified = AuthClient.NewAddress();
        await fast.RegisterAndVerifyAsync(verified);
        await Task.Delay(TimeSpan.FromSeconds(2.2), TestContext.Current.CancellationToken);
        var addresses = new[] { pending, verified, AuthClient.NewAddress() };

        var first = new List<HttpResponseMessage>();
        var second = new List<HttpResponseMessage>();
        foreach (var email in addresses)
        {
            first.Add(await fast.ResendAsync(email));
            second.Add(await fast.ResendAsync(email));
        }

        await AssertSameAnswerAsync(first[0], first[1], HttpStatusCode.Accepted);
        await AssertSameAnswerAsync(first[0], first[2], HttpStatusCode.Accepted);
        // The cooldown holds for every address alike, with or without an account.
        Assert.All(second, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(second, r => Assert.NotNull(r.Headers.RetryAfter?.Delta));
        foreach (var response in first.Concat(second))
        {
            response.Dispose();
        }
    }

    private static async Task AssertSameAnswerAsync(HttpResponseMessage a, HttpResponseMessage b, HttpStatusCode status)
    {
        Assert.Equal(status, a.StatusCode);
        Assert.Equal(status, b.StatusCode);
        Assert.Equal(await BodyAsync(a), await BodyAsync(b));
        Assert.Equal(a.Content.Headers.ContentType?.ToString(), b.Content.Headers.ContentType?.ToString());
    }

    /// <summary>The body as JSON text without the trace id, which differs on every request by design.</summary>
    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        var node = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        node.AsObject().Remove("trace_id");
        return node.ToJsonString();
    }

    public void Dispose() => _client.Dispose();
}
