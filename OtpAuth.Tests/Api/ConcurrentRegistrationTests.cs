using System.Net;
using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Users;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Registrations of one address racing each other in the real PostgreSQL and Redis. The HTTP tests run on
/// <see cref="OtpAuthSystem.Burst"/> (no resend cooldown, high per-address caps), so every request gets through.
/// </summary>
public sealed class ConcurrentRegistrationTests(OtpAuthSystem system) : IDisposable
{
    private const int Registrations = 10;
    private readonly AuthClient _client = new(system, OtpAuthSystem.Burst);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_concurrent_registrations_of_one_new_address_are_ten_registrations_and_one_code_makes_one_account()
    {
        var email = AuthClient.NewAddress();

        var responses = await Task.WhenAll(Enumerable.Range(0, Registrations).Select(_ => _client.PostAsync("/auth/register", new { email, password = AuthClient.Password })));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        var ids = new List<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Accepted))
        {
            ids.Add((await AuthClient.ReadJsonAsync(response)).GetProperty("registration_id").GetString()!);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(Registrations, ids.Distinct().Count());
        Assert.Equal(0, await CountAccountsAsync(email));
        Assert.Equal(Registrations, await CountPendingAsync(email));

        // The newest mail's code belongs to exactly one of them; it makes the one account and voids every other.
        await WaitForMailsAsync(email, Registrations);
        var code = await _client.Mail.WaitForCodeAsync(email, Token);
        var verifiedBy = new List<string>();
        foreach (var id in ids)
        {
            using var verify = await _client.VerifyAsync(email, code, id);
            if (verify.StatusCode == HttpStatusCode.OK)
            {
                verifiedBy.Add(id);
            }
        }

        Assert.Single(verifiedBy);
        Assert.Equal(1, await CountAccountsAsync(email));
        Assert.Equal(0, await CountPendingAsync(email));
    }

    [Fact]
    public async Task Two_registrations_of_one_address_verified_at_the_same_moment_make_one_account_with_the_winners_password()
    {
        // Two tabs, two passwords, each verified with its own code at once: the account is made once (the statement's
        // ON CONFLICT leaves the later insert nothing to do), with the password of the registration that won, and the
        // other answers the invalid-code 400, never a 500 or a second account. Several addresses raise the odds of a
        // true collision; either order must end the same.
        string[] passwords = ["violet tractor lagoon one", "amber kestrel harbour two"];
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            var email = AuthClient.NewAddress();
            var registrations = new List<(string Id, string Code, string Password)>();
            foreach (var password in passwords)
            {
                using var registered = await _client.RegisterAsync(email, password);
                Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
                var code = await _client.WaitForNewCodeAsync(email, previousCount: registrations.Count);
                registrations.Add((_client.RegistrationOf(email), code, password));
            }

            var verifies = await Task.WhenAll(registrations.Select(r => _client.VerifyAsync(email, r.Code, r.Id)));
            var statuses = verifies.Select(v => v.StatusCode).ToList();
            foreach (var verify in verifies)
            {
                verify.Dispose();
            }

            return (email, registrations, statuses);
        }));

        foreach (var (email, registrations, statuses) in outcomes)
        {
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.BadRequest));
            Assert.Equal(1, await CountAccountsAsync(email));
            Assert.Equal(0, await CountPendingAsync(email));

            var winner = registrations[statuses.IndexOf(HttpStatusCode.OK)].Password;
            var loser = registrations[statuses.IndexOf(HttpStatusCode.BadRequest)].Password;
            using var withWinner = await _client.LoginAsync(email, winner);
            using var withLoser = await _client.LoginAsync(email, loser);
            Assert.Equal(HttpStatusCode.OK, withWinner.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, withLoser.StatusCode);
        }
    }

    [Fact]
    public async Task A_login_rehash_never_writes_back_a_password_replaced_meanwhile()
    {
        await using var login = await NewDbContextAsync();
        await using var other = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        login.Users.Add(new User { Email = email, PasswordHash = "cost 10 hash", CreatedAt = DateTimeOffset.UtcNow });
        await login.SaveChangesAsync(Token);
        var user = await login.Users.SingleAsync(u => u.Email == email, Token);
        await other.Users.Where(u => u.Email == email).ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, "changed hash"), Token);

        Assert.False(await AccountPasswords.RehashAsync(login, user, "cost 10 hash", "cost 12 hash", Token));
        Assert.Equal("changed hash", await StoredHashAsync(email));
    }

    [Fact]
    public async Task A_login_replaces_a_hash_of_another_work_factor()
    {
        // The Api under test hashes at cost 10; a hash stored at cost 4 (an earlier setting) is replaced at login.
        var email = AuthClient.NewAddress();
        using var api = new AuthClient(system);
        await api.RegisterAndVerifyAsync(email);
        var old = new PasswordHasher(Microsoft.Extensions.Options.Options.Create(new PasswordOptions { BcryptWorkFactor = 4 }))
            .Hash(PasswordRules.Normalize(AuthClient.Password));
        await using (var db = await NewDbContextAsync())
        {
            await db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, old), Token);
        }

        using var first = await api.LoginAsync(email);
        using var second = await api.LoginAsync(email);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(10, PasswordHasher.WorkFactorOf(await StoredHashAsync(email)));
    }

    private async Task WaitForMailsAsync(string email, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (await _client.CountMailsAsync(email) < count)
        {
            await Task.Delay(150, timeout.Token);
        }
    }

    private async Task<OtpAuthDbContext> NewDbContextAsync()
    {
        var connectionString = await system.GetConnectionStringAsync("otpauth", Token);
        return new OtpAuthDbContext(new DbContextOptionsBuilder<OtpAuthDbContext>().UseNpgsql(connectionString).Options);
    }

    private async Task<string> StoredHashAsync(string email)
    {
        await using var db = await NewDbContextAsync();
        return await db.Users.Where(u => u.Email == email).Select(u => u.PasswordHash).SingleAsync(Token);
    }

    private async Task<int> CountAccountsAsync(string email)
    {
        await using var db = await NewDbContextAsync();
        return await db.Users.CountAsync(u => u.Email == email, Token);
    }

    private async Task<int> CountPendingAsync(string email)
    {
        await using var db = await NewDbContextAsync();
        return await db.PendingRegistrations.CountAsync(p => p.Email == email, Token);
    }

    public void Dispose() => _client.Dispose();
}
