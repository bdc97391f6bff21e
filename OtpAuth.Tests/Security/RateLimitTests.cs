using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>Per-client-IP limits (RateLimits:*) on <see cref="OtpAuthSystem.Limits"/>: 4 resends per IP per 6 s.</summary>
[Collection(TightLimits.Name)]
public sealed class RateLimitTests(OtpAuthSystem system) : IDisposable
{
    private readonly HttpClient _replica0 = system.CreateInstanceHttpClient(OtpAuthSystem.Limits + "-0");
    private readonly HttpClient _replica1 = system.CreateInstanceHttpClient(OtpAuthSystem.Limits + "-1");

    [Fact]
    public async Task Past_the_per_IP_limit_the_api_answers_429_with_a_Retry_After_after_which_it_accepts_again()
    {
        await TightLimits.StartFreshResendWindowAsync(_replica0);

        for (var i = 0; i < OtpAuthSystem.LimitsResendPerIp; i++)
        {
            using var accepted = await TightLimits.ResendAsync(_replica0);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var refused = await TightLimits.ResendAsync(_replica0);
        var problem = await AuthClient.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("Try again in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(OtpAuthSystem.LimitsWindowSeconds));

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(300), TightLimits.Token);
        using var afterWaiting = await TightLimits.ResendAsync(_replica0);
        Assert.Equal(HttpStatusCode.Accepted, afterWaiting.StatusCode);
    }

    [Fact]
    public async Task Two_replicas_count_against_one_limit()
    {
        await TightLimits.StartFreshResendWindowAsync(_replica0);

        for (var i = 0; i < OtpAuthSystem.LimitsResendPerIp; i++)
        {
            using var accepted = await TightLimits.ResendAsync(i % 2 == 0 ? _replica0 : _replica1);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // Each replica has seen only half the requests, yet both refuse: the count lives in the shared Redis.
        using var refusedBy0 = await TightLimits.ResendAsync(_replica0);
        using var refusedBy1 = await TightLimits.ResendAsync(_replica1);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedBy0.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedBy1.StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_untrusted_peer_does_not_open_a_fresh_bucket()
    {
        await TightLimits.StartFreshResendWindowAsync(_replica0);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= OtpAuthSystem.LimitsResendPerIp; i++)
        {
            using var response = await TightLimits.ResendAsync(_replica0, forwardedFor: $"203.0.113.{i + 1}");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    public void Dispose()
    {
        _replica0.Dispose();
        _replica1.Dispose();
    }
}
