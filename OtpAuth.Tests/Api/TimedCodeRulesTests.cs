using System.Net;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Code rules that involve waiting, against "api-fast" (codes live 3 s, resend cooldown 2 s, everything else default),
/// so expiry and cooldowns can be observed in seconds. Every wait starts after the answer of the request that made
/// the server start its clock, so "after the window" holds however slow the machine is; "within the window" is only
/// asserted against the default 60 s cooldown, which no stall of a loaded machine outlasts.
/// </summary>
public sealed class TimedCodeRulesTests(OtpAuthSystem system) : IDisposable
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2.2);
    private readonly AuthClient _client = new(system, "api-fast");

    [Fact]
    public async Task A_code_expires_after_its_lifetime()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);
        Assert.Equal(3, (await AuthClient.ReadJsonAsync(registered)).GetProperty("otp_expires_in").GetInt32());
        var code = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        await Task.Delay(TimeSpan.FromSeconds(3.5), TestContext.Current.CancellationToken);
        using var late = await _client.VerifyAsync(email, code);

        await AuthClient.AssertProblemAsync(late, HttpStatusCode.BadRequest, "Invalid or expired code");
    }

    [Fact]
    public async Task A_resent_code_voids_the_previous_one()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);
        var oldCode = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
        using var resent = await _client.ResendAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        var newCode = await _client.WaitForNewCodeAsync(email, previousCount: 1);

        if (newCode != oldCode) // one chance in a million that the new code repeats the old one
        {
            using var withOld = await _client.VerifyAsync(email, oldCode);
            await AuthClient.AssertProblemAsync(withOld, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var withNew = await _client.VerifyAsync(email, newCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    [Fact]
    public async Task A_resend_within_the_cooldown_is_refused_with_the_time_left()
    {
        using var client = new AuthClient(system, "api"); // the default cooldown: 60 s
        var email = AuthClient.NewAddress();
        var started = DateTimeOffset.UtcNow;
        using var registered = await client.RegisterAsync(email);
        await client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        using var early = await client.ResendAsync(email);
        var elapsed = DateTimeOffset.UtcNow - started;

        await AuthClient.AssertProblemAsync(early, HttpStatusCode.TooManyRequests);
        // Whole seconds, rounded up: at most the full cooldown, at least what was left of it when the answer came.
        Assert.InRange(early.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(Math.Floor(60 - elapsed.TotalSeconds)), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Once_the_cooldown_has_passed_a_resend_sends_a_new_code()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);
        await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
        using var later = await _client.ResendAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        await _client.WaitForNewCodeAsync(email, previousCount: 1);
    }

    [Fact]
    public async Task Resend_answers_alike_for_a_pending_a_verified_and_an_unknown_address_and_mails_only_the_pending_one()
    {
        var pending = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(pending);
        await _client.Mail.WaitForCodeAsync(pending, TestContext.Current.CancellationToken);
        var verified = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(verified);
        var unknown = AuthClient.NewAddress();
        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);

        var bodies = new List<string>();
        // The pending address last: resends are delivered from a queue in order, so by the time its mail is in, the
        // other two have been dequeued and looked up (and would have been mailed by then, were they going to be).
        foreach (var email in new[] { verified, unknown, pending })
        {
            using var response = await _client.ResendAsync(email);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        Assert.Single(bodies.Distinct());
        await _client.WaitForNewCodeAsync(pending, previousCount: 1);
        // A second control after that: another resend to the pending address, queued after everything above, and its mail.
        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
        using (var control = await _client.ResendAsync(pending))
        {
            Assert.Equal(HttpStatusCode.Accepted, control.StatusCode);
        }

        await _client.WaitForNewCodeAsync(pending, previousCount: 2);
        Assert.Equal(1, await _client.CountMailsAsync(verified));
        Assert.Equal(0, await _client.CountMailsAsync(unknown));
    }

    [Fact]
    public async Task At_most_five_codes_an_hour_go_to_one_address()
    {
        var email = AuthClient.NewAddress();
        using var registered = await _client.RegisterAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);

        for (var resend = 1; resend <= 4; resend++)
        {
            await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
            using var response = await _client.ResendAsync(email);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
        using var sixth = await _client.ResendAsync(email);

        await AuthClient.AssertProblemAsync(sixth, HttpStatusCode.TooManyRequests);
        Assert.True(sixth.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), "the hourly cap, not the 2 s cooldown, refused it");
        await _client.WaitForNewCodeAsync(email, previousCount: 4);
        Assert.Equal(5, await _client.CountMailsAsync(email));
    }

    [Fact]
    public async Task Wrong_codes_count_per_address_and_network_across_registrations()
    {
        // 4 wrong for the first registration, 4 for the second, 2 for the third: none reached its own budget of 10, but
        // the address reached 10 failures from this network in the hour, so even the third's right code is refused.
        var email = AuthClient.NewAddress();
        string code = "";
        for (var (registration, wrong) = (1, new[] { 4, 4, 2 }); registration <= wrong.Length; registration++)
        {
            using var registered = await _client.RegisterAsync(email);
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
            code = await _client.WaitForNewCodeAsync(email, previousCount: registration - 1);
            await FailAsync(email, code, times: wrong[registration - 1]);
        }

        using var right = await _client.VerifyAsync(email, code);
        await AuthClient.AssertProblemAsync(right, HttpStatusCode.TooManyRequests);
        Assert.NotNull(right.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_second_registration_of_an_unverified_address_is_verified_by_its_own_code_with_its_own_password()
    {
        var email = AuthClient.NewAddress();
        using var first = await _client.RegisterAsync(email, "first amber falcon orbit");
        var firstId = _client.RegistrationOf(email);
        var firstCode = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        using var second = await _client.RegisterAsync(email, "second crimson harbor kettle");
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var secondId = _client.RegistrationOf(email);
        var secondCode = await _client.WaitForNewCodeAsync(email, previousCount: 1);
        Assert.NotEqual(firstId, secondId);

        if (firstCode != secondCode) // one chance in a million that they are the same six digits
        {
            using var crossed = await _client.VerifyAsync(email, firstCode, secondId);
            await AuthClient.AssertProblemAsync(crossed, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var verified = await _client.VerifyAsync(email, secondCode, secondId);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        // The address has its account now: the first registration, and its code, are void.
        using var late = await _client.VerifyAsync(email, firstCode, firstId);
        await AuthClient.AssertProblemAsync(late, HttpStatusCode.BadRequest, "Invalid or expired code");

        using var oldPassword = await _client.LoginAsync(email, "first amber falcon orbit");
        using var newPassword = await _client.LoginAsync(email, "second crimson harbor kettle");
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);
    }

    private async Task FailAsync(string email, string code, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var wrong = await _client.VerifyAsync(email, AuthClient.WrongCodeFor(code));
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }
    }

    private async Task<string> ResendAfterCooldownAsync(string email, int mailsBefore)
    {
        await Task.Delay(Cooldown, TestContext.Current.CancellationToken);
        using var resent = await _client.ResendAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        return await _client.WaitForNewCodeAsync(email, mailsBefore);
    }

    public void Dispose() => _client.Dispose();
}
