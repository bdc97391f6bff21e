using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using StackExchange.Redis;

namespace OtpAuth.Tests.Sessions;

/// <summary>
/// Redis keeps nothing on disk: a restart empties it as a flush does. A session ended before that stays ended, because
/// PostgreSQL holds the revocation and the Api refills Redis from it. Flushing the shared Redis disturbs every other
/// test, so this runs with nothing beside it.
/// </summary>
[Collection(DependencyOutages.Name)]
public sealed class RevocationDurabilityTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task A_token_of_a_session_ended_before_Redis_lost_its_data_stays_refused_after()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var ended = await _client.SignInAsync(email);
        var live = await _client.SignInAsync(email);
        using (var logout = await _client.SendAsync(HttpMethod.Post, "/auth/logout", ended.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var before = await _client.MeAsync(ended.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        }

        await FlushRedisAsync();

        // Asked twice: once while the Api answers from PostgreSQL, once more after it has refilled Redis.
        for (var i = 0; i < 2; i++)
        {
            using var after = await _client.MeAsync(ended.AccessToken);
            await AuthClient.AssertProblemAsync(after, HttpStatusCode.Unauthorized);
            using var stillLive = await _client.MeAsync(live.AccessToken);
            Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_token_of_a_session_ended_while_the_Api_refills_Redis_stays_refused_when_Redis_loses_its_data_again()
    {
        // Redis empty, so the logout's own token check starts a refill from PostgreSQL in the background; Redis loses its
        // data again while that refill writes. A few hundred sessions ended just before give the refill that much to
        // write, and it is tried a few times, as the second loss must land inside the refill.
        // (One address's sign-ins one after another: the login throttle counts each try until it succeeds.)
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var email = AuthClient.NewAddress();
            await _client.RegisterAndVerifyAsync(email);
            SignedIn last = null!;
            for (var i = 0; i < 15; i++)
            {
                last = await _client.SignInAsync(email);
            }

            using var endAll = await _client.SendAsync(HttpMethod.Post, "/auth/logout-all", last.AccessToken);
            Assert.Equal(HttpStatusCode.NoContent, endAll.StatusCode);
        }));

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var email = AuthClient.NewAddress();
            await _client.RegisterAndVerifyAsync(email);
            var ended = await _client.SignInAsync(email);
            await FlushRedisAsync();
            using (var logout = await _client.SendAsync(HttpMethod.Post, "/auth/logout", ended.AccessToken))
            {
                Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            }

            await FlushRedisAsync();

            for (var i = 0; i < 3; i++)
            {
                using var after = await _client.MeAsync(ended.AccessToken);
                await AuthClient.AssertProblemAsync(after, HttpStatusCode.Unauthorized);
                await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            }
        }
    }

    private async Task FlushRedisAsync()
    {
        var connectionString = await system.GetConnectionStringAsync("redis", TestContext.Current.CancellationToken);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        foreach (var server in redis.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    public void Dispose() => _client.Dispose();
}
