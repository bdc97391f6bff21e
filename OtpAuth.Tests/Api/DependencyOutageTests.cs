using System.Net;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DependencyOutages
{
    public const string Name = "Dependency outages";
}

/// <summary>
/// With the mail server, Redis or PostgreSQL stopped, the Api answers 503 problem details (never a 500), and it
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
