using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The mail budget on <see cref="OtpAuthSystem.MailCap"/>: a network's first mail of the hour passes under the ceiling
/// alone; every other mail takes from the shared <see cref="OtpAuthSystem.MailCapPerMinute"/> a minute, of which one
/// network (an IPv4 address, an IPv6 /48) may take <see cref="OtpAuthSystem.MailCapPerNetworkPerMinute"/>. Networks play
/// through X-Forwarded-For from loopback, which the Api believes. The tests share the variant's Redis and run in any
/// order, each within a minute another may have spent the shared budget of: they assert only what holds either way.
/// </summary>
public sealed class MailCapTests(OtpAuthSystem system) : IDisposable
{
    /// <summary>Few enough to keep a flood quick on a small machine, enough to keep every hashing thread busy.</summary>
    private const int Parallelism = 8;

    private readonly HttpClient _http = system.CreateHttpClient(OtpAuthSystem.MailCap);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_IPv6_allocation_flooding_register_gets_its_first_mail_and_its_share_and_a_newcomer_still_gets_a_code()
    {
        // Twenty /64s of one /48, each a fresh address: one network for the budget, not twenty.
        var flood = Enumerable.Range(1, 20).Select(i => ($"2001:db8:aa:{i:x}::{Random.Shared.Next(1, 0xffff):x}", AuthClient.NewAddress())).ToList();

        var answers = await RegisterAllAsync(flood);

        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Email).ToList();
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        Assert.InRange(accepted.Count, 1, 1 + OtpAuthSystem.MailCapPerNetworkPerMinute);
        await AssertMailedOnlyAsync(accepted, answers.Select(a => a.Email).Except(accepted));

        await AssertNewcomerGetsItsCodeAsync("203.0.113.200");
    }

    [Fact]
    public async Task Two_hundred_IPv4_networks_flooding_register_are_held_to_the_shared_budget_and_a_newcomer_still_gets_a_code()
    {
        // 200 addresses no other test plays: 198.51.100.100–255 and 192.0.2.100–143.
        var networks = Enumerable.Range(100, 156).Select(i => $"198.51.100.{i}")
            .Concat(Enumerable.Range(100, 44).Select(i => $"192.0.2.{i}")).ToList();
        Assert.Equal(200, networks.Distinct().Count());

        // Each network's first mail of the hour: none is refused, the shared budget has no say in them.
        var firsts = await RegisterAllAsync([.. networks.Select(n => (n, AuthClient.NewAddress()))]);
        Assert.All(firsts, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));

        // Every network again: now each takes from the shared budget, and the flood gets that and no more. A flood that
        // straddles the end of the budget's minute gets two minutes' worth.
        var seconds = await RegisterAllAsync([.. networks.Select(n => (n, AuthClient.NewAddress()))]);
        var accepted = seconds.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Email).ToList();
        Assert.All(seconds, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        Assert.InRange(accepted.Count, 0, 2 * OtpAuthSystem.MailCapPerMinute);
        await AssertMailedOnlyAsync(accepted, seconds.Select(a => a.Email).Except(accepted).Take(10));
        foreach (var (_, email, _) in firsts.Take(3))
        {
            Assert.Equal(1, await CountMailsAsync(email));
        }

        await AssertNewcomerGetsItsCodeAsync("203.0.113.201");
    }

    [Fact]
    public async Task Past_the_shared_budget_a_network_past_its_first_mail_gets_503_with_Retry_After_and_nothing_is_sent()
    {
        // Each network's first mail passes by itself; its second takes from the shared budget, until that is spent. At
        // most two minutes' worth of budget go (another test may have started the minute), then one is refused.
        HttpResponseMessage? refused = null;
        string? refusedEmail = null;
        var accepted = new List<string>();
        for (var i = 0; i <= 2 * OtpAuthSystem.MailCapPerMinute && refused is null; i++)
        {
            var network = $"192.0.2.{200 + i}";
            var first = AuthClient.NewAddress();
            using (var response = await RegisterAsync(network, first))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            accepted.Add(first);
            var second = AuthClient.NewAddress();
            var answer = await RegisterAsync(network, second);
            if (answer.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(second);
                answer.Dispose();
            }
            else
            {
                (refused, refusedEmail) = (answer, second);
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            var problem = await AuthClient.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("try again in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        }

        await AssertMailedOnlyAsync(accepted, [refusedEmail!]);
    }

    private async Task AssertNewcomerGetsItsCodeAsync(string network)
    {
        using var newcomer = new AuthClient(system, OtpAuthSystem.MailCap, clientIp: network);
        var email = AuthClient.NewAddress();
        using var registered = await newcomer.RegisterAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var code = await newcomer.Mail.WaitForCodeAsync(email, Token);
        using var verified = await newcomer.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    /// <summary>Each accepted address has its one code mail; no refused one has any.</summary>
    private async Task AssertMailedOnlyAsync(IEnumerable<string> accepted, IEnumerable<string> refused)
    {
        foreach (var email in accepted)
        {
            await system.Mail.WaitForCodeAsync(email, Token);
            Assert.Equal(1, await CountMailsAsync(email));
        }

        // A refused register would have sent its mail before answering; give the inbox a moment anyway.
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        foreach (var email in refused)
        {
            Assert.Equal(0, await CountMailsAsync(email));
        }
    }

    private Task<int> CountMailsAsync(string email) => system.Mail.CountSettledAsync(email, Token);

    private async Task<List<(string Network, string Email, HttpStatusCode Status)>> RegisterAllAsync(IReadOnlyList<(string Network, string Email)> registers)
    {
        var answers = new ConcurrentBag<(string, string, HttpStatusCode)>();
        await Parallel.ForEachAsync(registers, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = Token }, async (r, _) =>
        {
            using var response = await RegisterAsync(r.Network, r.Email);
            answers.Add((r.Network, r.Email, response.StatusCode));
        });
        return [.. answers];
    }

    private Task<HttpResponseMessage> RegisterAsync(string network, string email)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/register")
        {
            Content = JsonContent.Create(new { email, password = AuthClient.Password }),
        };
        request.Headers.Add("X-Forwarded-For", network);
        return _http.SendAsync(request, Token);
    }

    public void Dispose() => _http.Dispose();
}
