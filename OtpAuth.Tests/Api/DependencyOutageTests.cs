using System.Diagnostics;
using System.Globalization;
using System.Net;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DependencyOutages
{
    public const string Name = "Dependency outages";
}

/// <summary>
/// With the mail server, Redis or PostgreSQL stopped or frozen, the Api answers 503 problem details (never a 500), and it
/// recovers by itself once the dependency is back. These tests stop shared resources, so nothing runs beside them.
/// </summary>
[Collection(DependencyOutages.Name)]
public sealed class DependencyOutageTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task When_SMTP_is_down_register_and_resend_answer_503_keep_nothing_and_work_at_once_when_it_is_back()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = new AuthClient(system, OtpAuthSystem.Burst); // no resend cooldown: the resend below is not refused for it
        var email = AuthClient.NewAddress();
        var waiting = AuthClient.NewAddress();
        using (var before = await client.RegisterAsync(waiting))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        await client.Mail.WaitForCodeAsync(waiting, cancellationToken);
        var (registered, resent) = await WhileStoppedAsync("mail", async () => (await client.RegisterAsync(email), await client.ResendAsync(waiting)));

        foreach (var response in new[] { registered, resent })
        {
            using (response)
            {
                var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                Assert.Contains("email could not be sent", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        // The registration the person was told failed is not kept: its password is not there to log in with.
        using (var notKept = await client.LoginAsync(email))
        {
            await AuthClient.AssertProblemAsync(notKept, HttpStatusCode.Unauthorized);
        }

        // The failed sends used up no cooldown: registering again and resending work at once.
        using (var again = await client.RegisterAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        using (var resentAgain = await client.ResendAsync(waiting))
        {
            Assert.Equal(HttpStatusCode.Accepted, resentAgain.StatusCode);
        }

        var code = await client.Mail.WaitForCodeAsync(email, cancellationToken);
        using var verified = await client.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        await client.WaitForNewCodeAsync(waiting, previousCount: 0); // the restarted dev mail server starts with an empty inbox
    }

    [Fact]
    public async Task When_Redis_is_down_the_api_answers_503_and_recovers_when_it_is_back()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var email = AuthClient.NewAddress();

        var (registered, health) = await WhileStoppedAsync("redis", async () =>
            (await _client.RegisterAsync(email), await _client.Http.GetAsync("/health", cancellationToken)));

        using (registered)
        using (health)
        {
            await AuthClient.AssertProblemAsync(registered, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }

        using var again = await EventuallyAsync(() => _client.RegisterAsync(email), HttpStatusCode.Accepted);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
    }

    [Fact]
    public async Task When_PostgreSQL_is_down_the_api_answers_503_and_recovers_when_it_is_back()
    {
        var email = AuthClient.NewAddress();

        var login = await WhileStoppedAsync("postgres", () => _client.LoginAsync(email));

        using (login)
        {
            await AuthClient.AssertProblemAsync(login, HttpStatusCode.ServiceUnavailable);
        }

        using var again = await EventuallyAsync(() => _client.LoginAsync(email), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    /// <summary>The longest any endpoint may take to answer while a dependency hangs.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>/health</c> may take to say 503 while a dependency hangs (a load balancer's probe waits about that).</summary>
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(5);

    /// <summary>Concurrent requests that open connections to PostgreSQL and Redis before the freeze.</summary>
    private const int WarmConnections = 16;

    /// <summary>
    /// A dependency that stops answering (SIGSTOP: what a failover or a partition that drops packets looks like, its
    /// connections open and silent) must not hang the Api: every endpoint answers within 10 s, those that need the
    /// dependency with 503 problem details (or 504), <c>/health</c> with 503 within 5 s, and the Api serves again
    /// within seconds of the thaw.
    /// </summary>
    [Theory]
    [InlineData("postgres", new[] { "register", "login", "health" })]
    [InlineData("redis", new[] { "register", "login", "health" })]
    [InlineData("mail", new[] { "register", "resend" })]
    public async Task While_a_dependency_hangs_every_endpoint_answers_within_10_s_and_the_api_recovers_after_the_thaw(string resource, string[] mustFail)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var client = new AuthClient(system, OtpAuthSystem.Burst); // no resend cooldown: resend reaches the mail server
        var email = AuthClient.NewAddress();
        await client.RegisterAndVerifyAsync(email);
        var signedIn = await client.SignInAsync(email);
        var waiting = AuthClient.NewAddress();
        using (var registered = await client.RegisterAsync(waiting))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var calls = new Dictionary<string, Func<Task<HttpResponseMessage>>>
        {
            ["register"] = () => client.RegisterAsync(AuthClient.NewAddress()),
            ["login"] = () => client.LoginAsync(email),
            ["verify"] = () => client.VerifyAsync(waiting, "000000"),
            ["resend"] = () => client.ResendAsync(waiting),
            ["forgot"] = () => client.PostAsync("/auth/password/forgot", new { email }),
            ["refresh"] = () => client.RefreshAsync(signedIn.RefreshToken),
            ["me"] = () => client.MeAsync(signedIn.AccessToken),
            ["sessions"] = () => client.SendAsync(HttpMethod.Get, "/auth/sessions", signedIn.AccessToken),
            ["health"] = () => client.Http.GetAsync("/health", cancellationToken),
        };

        // A busy Api holds many open connections when the dependency stops answering, and each request then waits on one
        // of them instead of failing to connect: a burst of concurrent requests leaves the pools as busy as that.
        await Task.WhenAll(Enumerable.Range(0, WarmConnections).Select(async _ =>
        {
            using var warm = await client.LoginAsync(AuthClient.NewAddress());
            Assert.Equal(HttpStatusCode.Unauthorized, warm.StatusCode);
        }));

        var answers = await WhileFrozenAsync(resource, () => Task.WhenAll(calls.Select(async call =>
        {
            var started = Stopwatch.GetTimestamp();
            var response = await call.Value();
            return (Name: call.Key, Response: response, Took: Stopwatch.GetElapsedTime(started));
        })));

        try
        {
            foreach (var (name, response, took) in answers)
            {
                TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                    $"{resource} frozen: {name} answered {(int)response.StatusCode} after {took.TotalSeconds:F1} s"));
            }

            if (answers.Any(answer => answer.Took >= HealthBound))
            {
                // What the Api saw while the slow ones waited: its 503 lines name the failure.
                TestContext.Current.SendDiagnosticMessage(string.Join('\n', await AppStartup.LastLogLinesAsync(system.App, OtpAuthSystem.Burst, 80)));
            }

            foreach (var (name, response, took) in answers)
            {
                var status = (int)response.StatusCode;
                var bound = name == "health" ? HealthBound : AnswerBound;
                Assert.True(took < bound, $"With {resource} frozen, {name} answered {status} after {took.TotalSeconds:F1} s (at most {bound.TotalSeconds} s).");
                Assert.True(status < 500 || status is 503 or 504, $"With {resource} frozen, {name} answered {status}.");
                Assert.True(status != 499, $"With {resource} frozen, {name} answered 499 (client closed request), but the client waited.");
                if (mustFail.Contains(name))
                {
                    Assert.True(status is 503 or 504, $"With {resource} frozen, {name} answered {status}, not 503.");
                }

                if (status == 503 && name != "health")
                {
                    await AuthClient.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                }
            }
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Response.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with every process of <paramref name="resource"/> stopped by SIGSTOP (PostgreSQL's
    /// backends too), always thaws them with SIGCONT, then waits until every Api of the system serves again, within
    /// 20 s of the thaw.
    /// </summary>
    private async Task<T> WhileFrozenAsync<T>(string resource, Func<Task<T>> action)
    {
        var processes = FrozenProcess.Of(system.App, resource);
        T result;
        try
        {
            processes.Freeze();
            result = await action();
        }
        finally
        {
            processes.Thaw();
        }

        var thawed = Stopwatch.GetTimestamp();
        await WaitUntilEveryApiServesAsync();
        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"{resource} thawed: every Api served again after {Stopwatch.GetElapsedTime(thawed).TotalSeconds:F1} s"));
        return result;
    }

    /// <summary>Retries for up to 20 s while the Api reconnects; returns the last answer.</summary>
    private static async Task<HttpResponseMessage> EventuallyAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await call();
            if (response.StatusCode == expected || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="resource"/> stopped, then brings it back healthy and waits until
    /// every Api of the system serves again.
    /// </summary>
    private async Task<T> WhileStoppedAsync<T>(string resource, Func<Task<T>> action)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await system.StopResourceAsync(resource, cancellationToken);
        T result;
        try
        {
            result = await action();
        }
        finally
        {
            await system.StartResourceAsync(resource, cancellationToken);
            await system.WaitForResourceHealthyAsync(resource, cancellationToken);
        }

        await WaitUntilEveryApiServesAsync();
        return result;
    }

    /// <summary>
    /// Every Api reconnects on its own schedule (within about a second of Redis's return), and the test after this one,
    /// on whichever Api, must find the whole system back. Asks each for a login of an address nobody has (rate limiter
    /// and throttle in Redis, lookup in PostgreSQL) until it answers 401.
    /// </summary>
    private async Task WaitUntilEveryApiServesAsync()
    {
        await Task.WhenAll(system.Apis.Select(async name =>
        {
            using var client = new AuthClient(system, name);
            using var answer = await EventuallyAsync(() => client.LoginAsync(AuthClient.NewAddress()), HttpStatusCode.Unauthorized);
            Assert.True(answer.StatusCode == HttpStatusCode.Unauthorized, $"{name} still answered {(int)answer.StatusCode} to a login 20 s after the restart.");
        }));
    }

    public void Dispose() => _client.Dispose();
}
