using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Account;

/// <summary>Changing an account's address and taking it back, through the real Api; codes from the real inbox.</summary>
public sealed class EmailChangeTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_address_changes_only_with_the_new_mailboxs_code_and_then_every_other_session_ends()
    {
        var (old, next) = (AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(old);
        var laptop = await _client.SignInAsync(old);
        var phone = await _client.SignInAsync(old);
        using (var strangers = await _client.RegisterAsync(next, "a stranger's own passphrase")) // pending, never verified
        {
            Assert.Equal(HttpStatusCode.Accepted, strangers.StatusCode);
        }

        var strangersCode = await _client.Mail.WaitForCodeAsync(next, Token);
        var (changeId, code) = await _client.StartChangeAsync(laptop.AccessToken, next);
        using (var unchanged = await _client.LoginAsync(old)) // nothing changes before the code
        {
            Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        }

        using (var wrong = await _client.VerifyChangeAsync(laptop.AccessToken, changeId, AuthClient.WrongCodeFor(code)))
        {
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var verified = await _client.VerifyChangeAsync(laptop.AccessToken, changeId, code))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            Assert.Equal(next, (await AuthClient.ReadJsonAsync(verified)).GetProperty("email").GetString());
        }

        using (var me = await _client.MeAsync(laptop.AccessToken))
        {
            Assert.Equal(next, (await AuthClient.ReadJsonAsync(me)).GetProperty("email").GetString());
        }

        using (var ended = await _client.MeAsync(phone.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, ended.StatusCode);
        }

        using (var byOld = await _client.LoginAsync(old))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, byOld.StatusCode);
        }

        using (var byNew = await _client.LoginAsync(next))
        {
            Assert.Equal(HttpStatusCode.OK, byNew.StatusCode);
        }

        using (var strangersRegistration = await _client.VerifyAsync(next, strangersCode)) // void: the address is taken now
        {
            await AuthClient.AssertProblemAsync(strangersRegistration, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        var notice = await _client.Mail.WaitForMessageAsync(old, m => m.Subject.Contains("address was changed", StringComparison.Ordinal), Token);
        Assert.Contains(next, notice.Text, StringComparison.Ordinal);
        Assert.Contains("7 days", notice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_old_mailboxs_code_takes_the_address_back_from_a_stolen_session_for_good()
    {
        var (victim, attackers) = (AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(victim);
        var owner = await _client.SignInAsync(victim);
        var thief = await _client.SignInAsync(victim); // a stolen session, and the password with it
        var (changeId, code) = await _client.StartChangeAsync(thief.AccessToken, attackers);
        using (var taken = await _client.VerifyChangeAsync(thief.AccessToken, changeId, code))
        {
            Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        }

        var revertCode = await _client.RevertCodeAsync(victim);
        using (var registering = await _client.RegisterAsync(victim)) // the old address stays reserved meanwhile
        {
            await AuthClient.AssertProblemAsync(registering, HttpStatusCode.Conflict);
        }

        using (var reverted = await _client.RevertAsync(victim, revertCode))
        {
            Assert.Equal(HttpStatusCode.OK, reverted.StatusCode);
            Assert.Equal(victim, (await AuthClient.ReadJsonAsync(reverted)).GetProperty("email").GetString());
        }

        foreach (var ended in new[] { thief, owner })
        {
            using var me = await _client.MeAsync(ended.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            using var refresh = await _client.RefreshAsync(ended.RefreshToken);
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        foreach (var address in new[] { victim, attackers }) // the password the thief knew works nowhere
        {
            using var login = await _client.LoginAsync(address);
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        using (var again = await _client.RevertAsync(victim, revertCode))
        {
            await AuthClient.AssertProblemAsync(again, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        // The owner of the mailbox chooses a new password with a reset code and is in.
        var before = await _client.CountMailsAsync(victim);
        using (var forgot = await _client.PostAsync("/auth/password/forgot", new { email = victim }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var resetCode = await _client.WaitForNewCodeAsync(victim, before);
        using (var reset = await _client.PostAsync("/auth/password/reset", new { email = victim, code = resetCode, new_password = "the owner's new passphrase" }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        using var back = await _client.LoginAsync(victim, "the owner's new passphrase");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task Another_accounts_address_or_one_reserved_for_its_way_back_is_refused()
    {
        var (mine, theirs, moved) = (AuthClient.NewAddress(), AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(mine);
        await _client.RegisterAndVerifyAsync(theirs);
        var session = await _client.SignInAsync(mine);
        var before = await _client.CountMailsAsync(theirs);

        using (var taken = await _client.RequestChangeAsync(session.AccessToken, theirs))
        {
            await AuthClient.AssertProblemAsync(taken, HttpStatusCode.Conflict, "This address belongs to another account.");
        }

        // "theirs" moves away: its old address stays reserved for it while it can take it back.
        var other = await _client.SignInAsync(theirs);
        var (changeId, code) = await _client.StartChangeAsync(other.AccessToken, moved);
        using (var verified = await _client.VerifyChangeAsync(other.AccessToken, changeId, code))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }

        using (var reserved = await _client.RequestChangeAsync(session.AccessToken, theirs))
        {
            await AuthClient.AssertProblemAsync(reserved, HttpStatusCode.Conflict, "This address belongs to another account.");
        }

        using (var own = await _client.RequestChangeAsync(session.AccessToken, mine))
        {
            await AuthClient.AssertProblemAsync(own, HttpStatusCode.BadRequest);
        }

        using (var wrongPassword = await _client.RequestChangeAsync(session.AccessToken, AuthClient.NewAddress(), "not the password at all"))
        {
            var problem = await AuthClient.AssertProblemAsync(wrongPassword, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        }

        // No code went to the refused address (only the moved account's notice did).
        var mails = await _client.Mail.GetMessagesToAsync(theirs, Token);
        Assert.DoesNotContain(mails.Skip(before), m => m.Subject.Contains("Confirm your new", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_accounts_racing_for_one_new_address_exactly_one_wins()
    {
        var (first, second, contested) = (AuthClient.NewAddress(), AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(first);
        await _client.RegisterAndVerifyAsync(second);
        var a = await _client.SignInAsync(first);
        var b = await _client.SignInAsync(second);
        var (changeA, codeA) = await _client.StartChangeAsync(a.AccessToken, contested);
        var (changeB, codeB) = await _client.StartChangeAsync(b.AccessToken, contested);

        var answers = await Task.WhenAll(
            _client.VerifyChangeAsync(a.AccessToken, changeA, codeA),
            _client.VerifyChangeAsync(b.AccessToken, changeB, codeB));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(r => r.StatusCode).Order());
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? first : second;
        var loser = winner == first ? second : first;
        using (var login = await _client.LoginAsync(contested))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var me = await AuthClient.ReadJsonAsync(await _client.MeAsync(SignedIn.From(await AuthClient.ReadJsonAsync(login)).AccessToken));
            Assert.Equal(contested, me.GetProperty("email").GetString());
        }

        using (var stayed = await _client.LoginAsync(loser)) // the loser keeps its address
        {
            Assert.Equal(HttpStatusCode.OK, stayed.StatusCode);
        }

        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task A_code_of_one_flow_never_completes_another()
    {
        var (email, next) = (AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(email);
        var session = await _client.SignInAsync(email);
        var (changeId, changeCode) = await _client.StartChangeAsync(session.AccessToken, next);
        var before = await _client.CountMailsAsync(email);
        using (var deleteCode = await _client.SendAsync(HttpMethod.Post, "/auth/account/delete-code", session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, deleteCode.StatusCode);
        }

        var deletionCode = await _client.WaitForNewCodeAsync(email, before);

        using (var changeAsDeletion = await _client.DeleteAccountAsync(session.AccessToken, new { code = changeCode }))
        {
            await AuthClient.AssertProblemAsync(changeAsDeletion, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var deletionAsChange = await _client.VerifyChangeAsync(session.AccessToken, changeId, deletionCode))
        {
            await AuthClient.AssertProblemAsync(deletionAsChange, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var changeAsRevert = await _client.RevertAsync(next, changeCode))
        {
            await AuthClient.AssertProblemAsync(changeAsRevert, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var changeAsSignIn = await _client.VerifySignInCodeAsync(email, deletionCode, Guid.CreateVersion7().ToString()))
        {
            await AuthClient.AssertProblemAsync(changeAsSignIn, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var me = await _client.MeAsync(session.AccessToken); // all of it left the account as it was
        Assert.Equal(email, (await AuthClient.ReadJsonAsync(me)).GetProperty("email").GetString());
    }

    public void Dispose() => _client.Dispose();
}
