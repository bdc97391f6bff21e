using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Sessions;

/// <summary>Sessions: refresh rotation with reuse detection (after a short grace for a retry), logout, logout everywhere, the session list.</summary>
public sealed class SessionTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task A_refresh_rotates_both_tokens_and_the_new_access_token_works()
    {
        var first = await SignedInAsync();

        using var refreshed = await _client.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = SignedIn.From(await AuthClient.ReadJsonAsync(refreshed));

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(TokenTests.Decode(first.AccessToken).Claims["sid"]!.ToString(), TokenTests.Decode(second.AccessToken).Claims["sid"]!.ToString());
        using var me = await _client.MeAsync(second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var again = await _client.RefreshAsync(second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_sent_again_within_the_grace_gets_the_same_answer_and_the_session_goes_on()
    {
        var first = await SignedInAsync();
        using var answered = await _client.RefreshAsync(first.RefreshToken);
        var lost = SignedIn.From(await AuthClient.ReadJsonAsync(answered));

        // The client never saw that answer (a dropped connection) and sends its token again at once.
        using var retried = await _client.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var again = SignedIn.From(await AuthClient.ReadJsonAsync(retried));
        Assert.Equal((lost.AccessToken, lost.RefreshToken), (again.AccessToken, again.RefreshToken));
        Assert.InRange(again.ExpiresIn, lost.ExpiresIn - 5, lost.ExpiresIn);

        using var me = await _client.MeAsync(again.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var next = await _client.RefreshAsync(again.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Presenting_a_rotated_refresh_token_again_after_the_grace_revokes_the_whole_session()
    {
        // api-fast's reuse grace is 1 s (10 s by default).
        using var client = new AuthClient(system, OtpAuthSystem.Fast);
        var email = AuthClient.NewAddress();
        await client.RegisterAndVerifyAsync(email);
        var stolen = await client.SignInAsync(email);
        using var byOwner = await client.RefreshAsync(stolen.RefreshToken);
        var owners = SignedIn.From(await AuthClient.ReadJsonAsync(byOwner));
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        using var replay = await client.RefreshAsync(stolen.RefreshToken);
        await AuthClient.AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "Invalid or expired refresh token");

        // The session is over for everyone: the newest refresh token and the newest access token are refused.
        using var ownersRefresh = await client.RefreshAsync(owners.RefreshToken);
        await AuthClient.AssertProblemAsync(ownersRefresh, HttpStatusCode.Unauthorized, "Invalid or expired refresh token");
        using var me = await client.MeAsync(owners.AccessToken);
        await AuthClient.AssertProblemAsync(me, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("not-a-refresh-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_refresh_token_nobody_issued_is_refused(string token)
    {
        using var refresh = await _client.RefreshAsync(token);
        await AuthClient.AssertProblemAsync(refresh, HttpStatusCode.Unauthorized, "Invalid or expired refresh token");
    }

    [Fact]
    public async Task A_refresh_without_a_token_is_a_validation_error_naming_it()
    {
        using var refresh = await _client.PostAsync("/auth/refresh", new { });
        var problem = await AuthClient.AssertProblemAsync(refresh, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Logout_ends_the_session_its_access_token_and_its_refresh_token()
    {
        var session = await SignedInAsync();

        using var logout = await _client.SendAsync(HttpMethod.Post, "/auth/logout", session.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var me = await _client.MeAsync(session.AccessToken);
        await AuthClient.AssertProblemAsync(me, HttpStatusCode.Unauthorized);
        using var refresh = await _client.RefreshAsync(session.RefreshToken);
        await AuthClient.AssertProblemAsync(refresh, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_all_ends_every_session_of_the_account_and_no_one_elses()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var laptop = await _client.SignInAsync(email);
        var phone = await _client.SignInAsync(email);
        var someoneElse = await SignedInAsync();

        using var logoutAll = await _client.SendAsync(HttpMethod.Post, "/auth/logout-all", laptop.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, logoutAll.StatusCode);

        foreach (var ended in new[] { laptop, phone })
        {
            using var me = await _client.MeAsync(ended.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            using var refresh = await _client.RefreshAsync(ended.RefreshToken);
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        using var untouched = await _client.MeAsync(someoneElse.AccessToken);
        Assert.Equal(HttpStatusCode.OK, untouched.StatusCode);
    }

    [Fact]
    public async Task The_session_list_names_the_current_session_and_one_can_be_ended_from_another()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        _client.Http.DefaultRequestHeaders.UserAgent.ParseAdd("OtpAuthTests/1.0");
        var laptop = await _client.SignInAsync(email);
        var phone = await _client.SignInAsync(email);

        using var list = await _client.SendAsync(HttpMethod.Get, "/auth/sessions", laptop.AccessToken);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var sessions = (await AuthClient.ReadJsonAsync(list)).EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count);
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.Equal(TokenTests.Decode(laptop.AccessToken).Claims["sid"]!.ToString(), current.GetProperty("id").GetString());
        Assert.All(sessions, s => Assert.Equal("OtpAuthTests/1.0", s.GetProperty("user_agent").GetString()));

        var phoneSession = sessions.Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
        using var end = await _client.SendAsync(HttpMethod.Delete, $"/auth/sessions/{phoneSession}", laptop.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        using var phoneMe = await _client.MeAsync(phone.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, phoneMe.StatusCode);
        using var laptopMe = await _client.MeAsync(laptop.AccessToken);
        Assert.Equal(HttpStatusCode.OK, laptopMe.StatusCode);

        using var again = await _client.SendAsync(HttpMethod.Delete, $"/auth/sessions/{phoneSession}", laptop.AccessToken);
        await AuthClient.AssertProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_accounts_session_cannot_be_ended()
    {
        var mine = await SignedInAsync();
        var theirs = await SignedInAsync();

        using var end = await _client.SendAsync(HttpMethod.Delete, $"/auth/sessions/{TokenTests.Decode(theirs.AccessToken).Claims["sid"]}", mine.AccessToken);

        await AuthClient.AssertProblemAsync(end, HttpStatusCode.NotFound);
        using var me = await _client.MeAsync(theirs.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private async Task<SignedIn> SignedInAsync()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        return await _client.SignInAsync(email);
    }

    public void Dispose() => _client.Dispose();
}
