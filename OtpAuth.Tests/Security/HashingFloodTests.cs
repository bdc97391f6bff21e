using System.Net;
using System.Net.Http.Json;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Bounded hashing on <see cref="OtpAuthSystem.Limits"/> (one hash at a time, one waiting): a burst
/// of logins gets some 503s with Retry-After at once instead of a pile-up, never a 500, and the endpoints that do not
/// hash keep answering. (How fast they answer under a flood is measured in OtpAuth.Benchmarks, not here.)
/// </summary>
[Collection(TightLimits.Name)]
public sealed class HashingFloodTests(OtpAuthSystem system) : IDisposable
{
    private readonly HttpClient _api = system.CreateInstanceHttpClient(OtpAuthSystem.Limits + "-0");

    [Fact]
    public async Task A_burst_of_logins_past_the_hashing_queue_gets_503_with_Retry_After_and_health_still_answers()
    {
        var token = TestContext.Current.CancellationToken;
        var logins = Enumerable.Range(0, 24).Select(_ =>
            _api.PostAsJsonAsync("/auth/login", new { email = AuthClient.NewAddress(), password = "some password or other" }, token)).ToList();
        using var health = await _api.GetAsync("/health", token);
        using var verify = await _api.PostAsJsonAsync("/auth/verify-otp", new { email = AuthClient.NewAddress(), code = "123456", registration_id = Guid.CreateVersion7() }, token);
        var responses = await Task.WhenAll(logins);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, verify.StatusCode);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Unauthorized);
        foreach (var response in busy)
        {
            await AuthClient.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Logins_refused_with_503_by_the_full_hashing_gate_do_not_count_against_the_accounts_throttle()
    {
        // Api-limits frees 3 failures and hashes one at a time with one waiting. Others' logins fill the gate while wrong
        // passwords for one account arrive: those refused with 503 were never checked, and must not count.
        using var client = new AuthClient(system, OtpAuthSystem.Limits + "-0");
        var email = AuthClient.NewAddress();
        await client.RegisterAndVerifyAsync(email);
        var flood = Enumerable.Range(0, 16).Select(_ => client.LoginAsync(AuthClient.NewAddress(), "some password or other")).ToList();
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.LoginAsync(email, "not the password at all")));
        var counted = burst.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        var refused = burst.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        foreach (var response in burst.Concat(await Task.WhenAll(flood)))
        {
            response.Dispose();
        }

        Assert.True(refused > 0, "the burst filled the hashing gate");
        // Only the counted failures used the free ones: that many more wrong tries are answered 401, then the wait starts.
        var more = 0;
        HttpStatusCode status;
        do
        {
            using var response = await client.LoginAsync(email, "not the password at all");
            status = response.StatusCode;
            more += status == HttpStatusCode.Unauthorized ? 1 : 0;
        }
        while (status == HttpStatusCode.Unauthorized && more < 10);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(3, counted + more);
    }

    [Fact]
    public async Task A_right_reset_code_refused_with_503_by_the_full_hashing_gate_still_works_afterwards()
    {
        using var client = new AuthClient(system, OtpAuthSystem.Limits + "-0");
        var email = AuthClient.NewAddress();
        await client.RegisterAndVerifyAsync(email);

        // Others' logins keep the gate full (one hash at a time, one waiting) while the owner sends the right code. Whether
        // the gate is full at the moment the reset comes depends on the machine: a reset that got through is done, and
        // the owner asks for another code until one is refused.
        string? refusedCode = null;
        for (var round = 0; round < 5 && refusedCode is null; round++)
        {
            var mails = await client.CountMailsAsync(email);
            await Task.Delay(TimeSpan.FromSeconds(1.1), TestContext.Current.CancellationToken); // api-limits' resend cooldown
            using (var forgot = await client.PostAsync("/auth/password/forgot", new { email }))
            {
                Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
            }

            var code = await client.WaitForNewCodeAsync(email, mails);
            using var stop = new CancellationTokenSource();
            var flood = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var response = await client.LoginAsync(AuthClient.NewAddress(), "some password or other");
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        // Every login counts against loopback's login limit on api-limits (1,000 per 15 minutes, which
                        // LoginThrottleTests and DependencyOutageTests need too): asking again at once after a 503, which
                        // answers in a millisecond, spent it within a few rounds and left those 429 for the rest of the run.
                        await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                    }
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            using var reset = await client.PostAsync("/auth/password/reset", new { email, code, new_password = "a brand new passphrase of mine" });
            await stop.CancelAsync();
            await Task.WhenAll(flood);
            Assert.Contains(reset.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable });
            if (reset.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await AuthClient.AssertProblemAsync(reset, HttpStatusCode.ServiceUnavailable);
                refusedCode = code;
            }
        }

        Assert.True(refusedCode is not null, "no reset in five rounds (the codes an address gets from one network in an hour) found the hashing gate full");

        // The 503 said "try again": the same code, once the gate has room, replaces the password.
        using var again = await client.PostAsync("/auth/password/reset", new { email, code = refusedCode, new_password = "the passphrase that stays" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var login = await client.LoginAsync(email, "the passphrase that stays");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    public void Dispose() => _api.Dispose();
}
