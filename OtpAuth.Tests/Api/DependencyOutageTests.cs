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
    public async Task When_SMTP_is_down_register_answers_503_and_a_later_resend_delivers_a_code()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var email = AuthClient.NewAddress();

        var registered = await WhileStoppedAsync("mail", () => _client.RegisterAsync(email));

        using (registered)
        {
            var problem = await AuthClient.AssertProblemAsync(registered, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("email could not be sent", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The account exists, unverified; the failed send did not use up the cooldown, so resending works at once.
        using var resent = await _client.ResendAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        var code = await _client.Mail.WaitForCodeAsync(email, cancellationToken);
        using var verified = await _client.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using var login = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
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

    /// <summary>Runs <paramref name="action"/> with <paramref name="resource"/> stopped, then brings it back healthy.</summary>
    private async Task<T> WhileStoppedAsync<T>(string resource, Func<Task<T>> action)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await system.StopResourceAsync(resource, cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            await system.StartResourceAsync(resource, cancellationToken);
            await system.WaitForResourceHealthyAsync(resource, cancellationToken);
        }
    }

    public void Dispose() => _client.Dispose();
}
