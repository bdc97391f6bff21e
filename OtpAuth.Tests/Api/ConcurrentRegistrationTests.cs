using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Users;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// Registrations of one address racing each other, and a registration racing the owner's verification, in the real
/// PostgreSQL. The HTTP test runs on <see cref="OtpAuthSystem.Burst"/> (no resend cooldown), so every request gets
/// past the send reservation and the insert race (unique violation, then the existing row) really happens.
/// </summary>
public sealed class ConcurrentRegistrationTests(OtpAuthSystem system) : IDisposable
{
    private const int Registrations = 10;
    private readonly AuthClient _client = new(system, OtpAuthSystem.Burst);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_concurrent_registrations_of_one_new_address_make_one_account_and_no_server_error()
    {
        var email = AuthClient.NewAddress();

        var responses = await Task.WhenAll(Enumerable.Range(0, Registrations).Select(_ => _client.RegisterAsync(email)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.All(statuses, s => Assert.True((int)s < 500, $"no server error, got {(int)s}"));
        var accepted = statuses.Count(s => s == HttpStatusCode.Accepted);
        Assert.True(accepted >= 2, $"several registrations got through the send reservation and raced in PostgreSQL: {string.Join(", ", statuses.Select(s => (int)s))}");
        Assert.Equal(1, await CountAccountsAsync(email));

        // Each accepted registration mailed a code, each replacing the last; a fresh one verifies the single account.
        await WaitForMailsAsync(email, accepted);
        using var resent = await _client.ResendAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        var code = await _client.WaitForNewCodeAsync(email, accepted);
        using var verified = await _client.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    [Fact]
    public async Task A_registration_that_loaded_the_account_before_the_owner_verified_does_not_replace_the_password()
    {
        // The race of a registration (load, ~250 ms of bcrypt, save) with the owner's verification, step by step.
        await using var registration = await NewDbContextAsync();
        await using var owner = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        owner.Users.Add(new User { Email = email, PasswordHash = "owner's hash", CreatedAt = DateTimeOffset.UtcNow });
        await owner.SaveChangesAsync(Token);

        var stale = await registration.Users.SingleAsync(u => u.Email == email, Token);
        Assert.False(stale.IsVerified);
        await owner.Users.Where(u => u.Email == email).ExecuteUpdateAsync(set => set.SetProperty(u => u.VerifiedAt, DateTimeOffset.UtcNow), Token);
        var saved = await AccountPasswords.SaveUnverifiedAsync(registration, stale, email, "registrant's hash", DateTimeOffset.UtcNow, Token);

        Assert.Null(saved); // the Api answers 409
        Assert.Equal("owner's hash", await StoredHashAsync(email));
    }

    [Fact]
    public async Task A_registration_that_lost_the_insert_to_a_verified_account_does_not_replace_the_password()
    {
        await using var registration = await NewDbContextAsync();
        await using var owner = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        owner.Users.Add(new User { Email = email, PasswordHash = "owner's hash", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow });
        await owner.SaveChangesAsync(Token);

        var saved = await AccountPasswords.SaveUnverifiedAsync(registration, loaded: null, email, "registrant's hash", DateTimeOffset.UtcNow, Token);

        Assert.Null(saved);
        Assert.Equal("owner's hash", await StoredHashAsync(email));
    }

    [Fact]
    public async Task A_registration_of_a_still_unverified_account_replaces_the_password()
    {
        await using var registration = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        registration.Users.Add(new User { Email = email, PasswordHash = "first hash", CreatedAt = DateTimeOffset.UtcNow });
        await registration.SaveChangesAsync(Token);
        var loaded = await registration.Users.SingleAsync(u => u.Email == email, Token);

        var saved = await AccountPasswords.SaveUnverifiedAsync(registration, loaded, email, "second hash", DateTimeOffset.UtcNow, Token);

        Assert.Same(loaded, saved);
        Assert.Equal("second hash", loaded.PasswordHash);
        Assert.Equal("second hash", await StoredHashAsync(email));
        Assert.False(registration.ChangeTracker.HasChanges()); // nothing left for a later SaveChanges to write
    }

    [Fact]
    public async Task A_code_checked_before_a_reregistration_replaced_the_password_does_not_verify_the_new_password()
    {
        // The verify read the account (first hash) and consumed the owner's code; a registration then replaced the
        // password before the verify wrote verified_at. The account must not end up verified with the new password.
        await using var verify = await NewDbContextAsync();
        await using var registration = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        verify.Users.Add(new User { Email = email, PasswordHash = "owner's hash", CreatedAt = DateTimeOffset.UtcNow });
        await verify.SaveChangesAsync(Token);
        var readByVerify = await verify.Users.SingleAsync(u => u.Email == email, Token);
        var loadedByRegistration = await registration.Users.SingleAsync(u => u.Email == email, Token);
        await AccountPasswords.SaveUnverifiedAsync(registration, loadedByRegistration, email, "registrant's hash", DateTimeOffset.UtcNow, Token);

        var verified = await AccountPasswords.MarkVerifiedAsync(verify, readByVerify, "owner's hash", DateTimeOffset.UtcNow, Token);

        Assert.False(verified);
        await using var check = await NewDbContextAsync();
        var stored = await check.Users.SingleAsync(u => u.Email == email, Token);
        Assert.Null(stored.VerifiedAt);
        Assert.Equal("registrant's hash", stored.PasswordHash);
    }

    [Fact]
    public async Task A_code_checked_for_the_current_password_verifies_the_account()
    {
        await using var verify = await NewDbContextAsync();
        var email = AuthClient.NewAddress();
        verify.Users.Add(new User { Email = email, PasswordHash = "owner's hash", CreatedAt = DateTimeOffset.UtcNow });
        await verify.SaveChangesAsync(Token);
        var user = await verify.Users.SingleAsync(u => u.Email == email, Token);

        Assert.True(await AccountPasswords.MarkVerifiedAsync(verify, user, "owner's hash", DateTimeOffset.UtcNow, Token));

        Assert.NotNull(user.VerifiedAt);
        Assert.False(verify.ChangeTracker.HasChanges());
        await using var check = await NewDbContextAsync();
        Assert.NotNull((await check.Users.SingleAsync(u => u.Email == email, Token)).VerifiedAt);
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
        await other.Users.Where(u => u.Email == email).ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, "re-registered hash"), Token);

        Assert.False(await AccountPasswords.RehashAsync(login, user, "cost 10 hash", "cost 12 hash", Token));
        Assert.Equal("re-registered hash", await StoredHashAsync(email));
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

    private async Task<long> CountAccountsAsync(string email)
    {
        var connectionString = await system.GetConnectionStringAsync("otpauth", Token);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email = @email", connection);
        count.Parameters.AddWithValue("email", email);
        return (long)(await count.ExecuteScalarAsync(Token))!;
    }

    public void Dispose() => _client.Dispose();
}
