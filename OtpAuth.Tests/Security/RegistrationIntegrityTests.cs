using System.Net;
using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Users;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The sign-up flow attacked by someone who does not own the mailbox (issue: registration integrity). Each person is an
/// <see cref="AuthClient"/> on a network of their own (X-Forwarded-For through the trusted loopback proxy, as the Web is).
/// </summary>
public sealed class RegistrationIntegrityTests(OtpAuthSystem system) : IDisposable
{
    private const string OwnersPassword = "the owner's own violet harbour";
    private const string StrangersPassword = "a stranger's amber lighthouse";
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2.2);

    private readonly List<AuthClient> _clients = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pre_hijack_a_strangers_registration_of_an_unverified_address_cannot_take_the_owners_account()
    {
        var owner = Client(OtpAuthSystem.Fast, "198.51.100.10");
        var stranger = Client(OtpAuthSystem.Fast, "203.0.113.20");
        var email = AuthClient.NewAddress();

        using (var registered = await owner.RegisterAsync(email, OwnersPassword))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        await owner.Mail.WaitForCodeAsync(email, Token);
        using (var strangers = await stranger.RegisterAsync(email, StrangersPassword))
        {
            Assert.Equal(HttpStatusCode.Accepted, strangers.StatusCode);
        }

        // The owner takes the newest mail, which is the stranger's registration's code: it does not verify the owner's.
        var newest = await owner.WaitForNewCodeAsync(email, previousCount: 1);
        using (var wrongRegistration = await owner.VerifyAsync(email, newest))
        {
            await AuthClient.AssertProblemAsync(wrongRegistration, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        // So they press Resend: a new code for their own registration, and it verifies their own password.
        await Task.Delay(Cooldown, Token);
        using (var resent = await owner.ResendAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        }

        var ownCode = await owner.WaitForNewCodeAsync(email, previousCount: 2);
        using (var verified = await owner.VerifyAsync(email, ownCode))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }

        using var ownerLogin = await owner.LoginAsync(email, OwnersPassword);
        using var strangerLogin = await stranger.LoginAsync(email, StrangersPassword);
        Assert.Equal(HttpStatusCode.OK, ownerLogin.StatusCode);
        await AuthClient.AssertProblemAsync(strangerLogin, HttpStatusCode.Unauthorized, "Invalid email or password");
        // And the stranger's registration died with the account's creation: its code verifies nothing now.
        using var late = await stranger.VerifyAsync(email, newest);
        await AuthClient.AssertProblemAsync(late, HttpStatusCode.BadRequest, "Invalid or expired code");
    }

    [Fact]
    public async Task Two_concurrent_registrations_by_different_clients_are_each_verified_only_by_their_own_code()
    {
        var first = Client(OtpAuthSystem.Fast, "198.51.100.11");
        var second = Client(OtpAuthSystem.Fast, "203.0.113.21");
        var email = AuthClient.NewAddress();

        var answers = await Task.WhenAll(first.RegisterAsync(email, OwnersPassword), second.RegisterAsync(email, StrangersPassword));
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            answer.Dispose();
        }

        await first.WaitForNewCodeAsync(email, previousCount: 1);
        var codes = (await first.Mail.GetMessagesToAsync(email, Token)).Select(m => MailInbox.CodeIn(m.Text)).ToList();
        Assert.Equal(2, codes.Count);
        Assert.SkipWhen(codes[0] == codes[1], "Both registrations drew the same six digits (one chance in a million).");

        // Which mail is whose is written nowhere but in the codes: try the first mail's code on the second registration.
        using var probe = await second.VerifyAsync(email, codes[0]);
        var (winner, winnersPassword, loser, losersPassword) = probe.StatusCode == HttpStatusCode.OK
            ? (second, StrangersPassword, first, OwnersPassword) // it was the second's own code...
            : (first, OwnersPassword, second, StrangersPassword); // ...or the first's, which did not verify the second
        if (probe.StatusCode == HttpStatusCode.OK)
        {
            // ...and it does not verify the first's registration either.
            using var crossed = await first.VerifyAsync(email, codes[0]);
            await AuthClient.AssertProblemAsync(crossed, HttpStatusCode.BadRequest, "Invalid or expired code");
        }
        else
        {
            await AuthClient.AssertProblemAsync(probe, HttpStatusCode.BadRequest, "Invalid or expired code");
            using var own = await first.VerifyAsync(email, codes[0]);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        using var winnerLogin = await winner.LoginAsync(email, winnersPassword);
        using var loserLogin = await loser.LoginAsync(email, losersPassword);
        Assert.Equal(HttpStatusCode.OK, winnerLogin.StatusCode);
        await AuthClient.AssertProblemAsync(loserLogin, HttpStatusCode.Unauthorized, "Invalid email or password");
    }

    [Theory]
    [InlineData("Ada Lovelace <{0}>")]
    [InlineData("<{0}>")]
    [InlineData("{0} (Ada)")]
    [InlineData("(Ada) {0}")]
    [InlineData("\"{1}\"@example.test")]
    [InlineData("\"{1} x\"@example.test")]
    [InlineData("{1},other@example.test")]
    [InlineData("{1};other@example.test")]
    [InlineData("other@example.test,{0}")]
    [InlineData("{1}@[127.0.0.1]")]
    [InlineData("@route.example:{0}")]
    [InlineData("{1}\\@x@example.test")]
    [InlineData("{1}＠example.test")]
    public async Task Aliases_of_a_mailbox_are_refused_as_400_naming_the_email_and_nothing_is_kept(string pattern)
    {
        var client = Client("api");
        var email = AuthClient.NewAddress();
        var local = email[..email.IndexOf('@', StringComparison.Ordinal)];
        var alias = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, email, local);

        using var response = await client.RegisterAsync(alias);

        var problem = await AuthClient.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _), $"{alias} is refused for its email");
        await using var db = await NewDbContextAsync();
        Assert.False(await db.PendingRegistrations.AnyAsync(p => p.Email.Contains(local), Token));
    }

    [Fact]
    public async Task The_Unicode_and_punycode_spellings_of_a_domain_are_one_address()
    {
        var client = Client("api");
        var local = Guid.NewGuid().ToString("N");
        var unicode = $"{local}@bücher.example";
        var punycode = $"{local}@xn--bcher-kva.example";

        using var registered = await client.RegisterAsync(unicode);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        Assert.Equal(punycode, (await AuthClient.ReadJsonAsync(registered)).GetProperty("email").GetString());
        var code = await client.Mail.WaitForCodeAsync(punycode, Token); // the mail went to the one ASCII spelling
        using var verified = await client.VerifyAsync(punycode, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);

        using var again = await client.RegisterAsync(punycode);
        await AuthClient.AssertProblemAsync(again, HttpStatusCode.Conflict, "Email already registered");
        using var login = await client.LoginAsync($"{local.ToUpperInvariant()}@BÜCHER.example");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task A_strangers_wrong_codes_sends_and_registrations_do_not_lock_the_owner_out()
    {
        var stranger = Client(OtpAuthSystem.Fast, "203.0.113.22");
        var owner = Client(OtpAuthSystem.Fast, "198.51.100.12");
        var email = AuthClient.NewAddress();

        // The stranger registers the address until refused, and guesses wrong codes until refused.
        var registrations = 0;
        HttpStatusCode status;
        do
        {
            using var response = await stranger.RegisterAsync(email, StrangersPassword);
            status = response.StatusCode;
            registrations += status == HttpStatusCode.Accepted ? 1 : 0;
        }
        while (status == HttpStatusCode.Accepted && registrations < 50);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        var wrong = 0;
        do
        {
            using var response = await stranger.VerifyAsync(email, "000000");
            status = response.StatusCode;
            wrong += status == HttpStatusCode.BadRequest ? 1 : 0;
        }
        while (status == HttpStatusCode.BadRequest && wrong < 100);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal((5, 10), (registrations, wrong)); // the stranger's own network's share: 5 codes, 10 wrong tries an hour

        // The owner, elsewhere, signs up as if nothing had happened.
        await owner.Mail.WaitForNewCodeAsync(email, previousCount: registrations - 1, Token);
        using (var registered = await owner.RegisterAsync(email, OwnersPassword))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var code = await owner.WaitForNewCodeAsync(email, previousCount: registrations);
        using (var mistyped = await owner.VerifyAsync(email, AuthClient.WrongCodeFor(code)))
        {
            await AuthClient.AssertProblemAsync(mistyped, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var verified = await owner.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using var login = await owner.LoginAsync(email, OwnersPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task The_64s_of_one_IPv6_48_share_a_budget_and_another_network_still_gets_through()
    {
        var email = AuthClient.NewAddress();
        var allocation = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}";
        var statuses = new List<HttpStatusCode>();
        // A different /64 (and /56) for every request: one request each, as 65,536 "clients" of one /48 would send.
        for (var i = 0; i < 24; i++)
        {
            using var response = await Client(OtpAuthSystem.Fast, $"{allocation}:{i:x2}00::1").RegisterAsync(email, StrangersPassword);
            statuses.Add(response.StatusCode);
        }

        // Otp:MaxSendsPerHour 5 per network, ×4 for a /48: 20 codes, then the allocation is refused as one client.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Accepted, 20).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)), statuses);
        // The ceiling for everyone (25) is above what the allocation could spend, so the owner is not locked out by it.
        using var owner = await Client(OtpAuthSystem.Fast, "198.51.100.13").RegisterAsync(email, OwnersPassword);
        Assert.Equal(HttpStatusCode.Accepted, owner.StatusCode);
    }

    [Fact]
    public async Task A_resend_is_answered_only_once_the_server_has_taken_its_mail()
    {
        // Nothing waits in a queue that an Api restart would lose: when the 202 comes, the mail is in the mailbox.
        var client = Client(OtpAuthSystem.Burst);
        var email = AuthClient.NewAddress();
        using (var registered = await client.RegisterAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        Assert.Equal(1, await client.CountMailsAsync(email));
        using (var resent = await client.ResendAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        }

        Assert.Equal(2, await client.CountMailsAsync(email));
    }

    [Fact]
    public async Task Expired_pending_registrations_are_purged_with_their_password_hashes()
    {
        var email = AuthClient.NewAddress();
        var id = Guid.CreateVersion7();
        await using (var db = await NewDbContextAsync())
        {
            db.PendingRegistrations.Add(new OtpAuth.Api.Registration.PendingRegistration
            {
                Id = id,
                Email = email,
                PasswordHash = "$2b$10$expiredexpiredexpiredexpiredexpiredexpiredexpiredex",
                CreatedAt = DateTimeOffset.UtcNow.AddDays(-2),
                ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync(Token);
        }

        // api-fast purges every second.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool present;
        do
        {
            await Task.Delay(500, Token);
            await using var db = await NewDbContextAsync();
            present = await db.PendingRegistrations.AnyAsync(p => p.Id == id, Token);
        }
        while (present && DateTime.UtcNow < deadline);

        Assert.False(present, "the expired registration is still stored after 30 s");
    }

    private AuthClient Client(string resource, string? clientIp = null)
    {
        var client = new AuthClient(system, resource, clientIp);
        _clients.Add(client);
        return client;
    }

    private async Task<OtpAuthDbContext> NewDbContextAsync()
    {
        var connectionString = await system.GetConnectionStringAsync("otpauth", Token);
        return new OtpAuthDbContext(new DbContextOptionsBuilder<OtpAuthDbContext>().UseNpgsql(connectionString).Options);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
