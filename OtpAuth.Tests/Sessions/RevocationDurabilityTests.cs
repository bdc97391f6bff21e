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
        var (ended, live) = await TwoSessionsAsync();
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
        await AssertEndedRefusedAndLiveAcceptedAsync(ended, live, times: 2, TimeSpan.FromSeconds(1));
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

    [Fact]
    public async Task A_token_of_a_session_whose_logout_could_not_write_the_cache_is_refused()
    {
        var (ended, live) = await TwoSessionsAsync();
        await using var redis = await AdminAsync();
        var database = redis.GetDatabase();
        // The cache must say it is complete, or every check asks PostgreSQL anyway (an earlier test may have emptied it).
        for (var i = 0; i < 50 && !await database.KeyExistsAsync(CompleteMarker); i++)
        {
            using var check = await _client.MeAsync(live.AccessToken);
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        Assert.True(await database.KeyExistsAsync(CompleteMarker), "the revoked-session cache never became complete");

        // Redis refuses the logout's write after PostgreSQL committed it (a write lost to a broken connection or a
        // failover does the same), and answers reads as before.
        await database.ExecuteAsync("ACL", "SETUSER", "default", "-set", "-setex", "-psetex");
        try
        {
            using var logout = await _client.SendAsync(HttpMethod.Post, "/auth/logout", ended.AccessToken);
            await AuthClient.AssertProblemAsync(logout, HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await database.ExecuteAsync("ACL", "SETUSER", "default", "+set", "+setex", "+psetex");
        }

        await AssertEndedRefusedAndLiveAcceptedAsync(ended, live, times: 3, TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Two sessions of one new account: one to end, one that must stay signed in.</summary>
    private async Task<(SignedIn Ended, SignedIn Live)> TwoSessionsAsync()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        return (await _client.SignInAsync(email), await _client.SignInAsync(email));
    }

    private async Task AssertEndedRefusedAndLiveAcceptedAsync(SignedIn ended, SignedIn live, int times, TimeSpan pause)
    {
        for (var i = 0; i < times; i++)
        {
            using var after = await _client.MeAsync(ended.AccessToken);
            await AuthClient.AssertProblemAsync(after, HttpStatusCode.Unauthorized);
            using var stillLive = await _client.MeAsync(live.AccessToken);
            Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
            await Task.Delay(pause, TestContext.Current.CancellationToken);
        }
    }

    private static readonly RedisKey CompleteMarker = "otpauth:{revoked-sessions}:complete";

    private async Task<ConnectionMultiplexer> AdminAsync()
    {
        var connectionString = await system.GetConnectionStringAsync("redis", TestContext.Current.CancellationToken);
        return await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }

    private async Task FlushRedisAsync()
    {
        await using var redis = await AdminAsync();
        foreach (var server in redis.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    public void Dispose() => _client.Dispose();
}
