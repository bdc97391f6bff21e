using System.Net;
using Npgsql;
using OtpAuth.Api.Otp;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using StackExchange.Redis;

namespace OtpAuth.Tests.Account;

/// <summary>Deleting and exporting one's own account, through the real Api, with PostgreSQL and Redis searched afterwards.</summary>
public sealed class AccountDeletionTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deleted_account_leaves_nothing_in_PostgreSQL_or_Redis_and_its_tokens_stop_at_once()
    {
        var (email, next) = (AuthClient.NewAddress(), AuthClient.NewAddress());
        await _client.RegisterAndVerifyAsync(email);
        var laptop = await _client.SignInAsync(email);
        var phone = await _client.SignInAsync(email);
        var userId = await _client.UserIdAsync(laptop.AccessToken);
        // Leave traces everywhere: a wrong login (throttle), a sign-in code and a reset code (codes, budgets, cooldowns),
        // a pending address change (its code, the pending change).
        using (var wrong = await _client.LoginAsync(email, "not the password at all"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        await _client.SignInByCodeAsync(email);
        using (var forgot = await _client.PostAsync("/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        await _client.StartChangeAsync(laptop.AccessToken, next);
        Assert.NotEmpty(await RedisKeysAboutAsync(userId, email));
        Assert.NotEmpty(await RowsAboutAsync(userId, email));

        using (var deleted = await _client.DeleteAccountAsync(laptop.AccessToken, new { password = AuthClient.Password }))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        foreach (var ended in new[] { laptop, phone })
        {
            using var me = await _client.MeAsync(ended.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            using var sessions = await _client.SendAsync(HttpMethod.Get, "/auth/sessions", ended.AccessToken);
            Assert.Equal(HttpStatusCode.Unauthorized, sessions.StatusCode);
            using var refresh = await _client.RefreshAsync(ended.RefreshToken);
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }

        Assert.Empty(await RowsAboutAsync(userId, email));
        Assert.Empty(await RedisKeysAboutAsync(userId, email));
        await _client.Mail.WaitForMessageAsync(email, m => m.Subject.Contains("was deleted", StringComparison.Ordinal), Token);
        using var login = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        await _client.RegisterAndVerifyAsync(email); // the address is free again
    }

    [Fact]
    public async Task An_account_can_be_deleted_with_a_mailed_code_instead_of_its_password()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var session = await _client.SignInByCodeAsync(email);
        var before = await _client.CountMailsAsync(email);
        using (var requested = await _client.SendAsync(HttpMethod.Post, "/auth/account/delete-code", session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
            Assert.Equal(6, (await AuthClient.ReadJsonAsync(requested)).GetProperty("code_length").GetInt32());
        }

        var code = await _client.WaitForNewCodeAsync(email, before);
        using (var wrong = await _client.DeleteAccountAsync(session.AccessToken, new { code = AuthClient.WrongCodeFor(code) }))
        {
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using (var deleted = await _client.DeleteAccountAsync(session.AccessToken, new { code }))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var me = await _client.MeAsync(session.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_or_none_deletes_nothing()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        var session = await _client.SignInAsync(email);

        using (var wrong = await _client.DeleteAccountAsync(session.AccessToken, new { password = "not the password at all" }))
        {
            var problem = await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        }

        using (var none = await _client.DeleteAccountAsync(session.AccessToken, new { }))
        {
            await AuthClient.AssertProblemAsync(none, HttpStatusCode.BadRequest);
        }

        using var me = await _client.MeAsync(session.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task The_export_holds_what_is_stored_about_the_person_and_no_secret()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);
        _client.Http.DefaultRequestHeaders.UserAgent.ParseAdd("ExportTest/1.0");
        var session = await _client.SignInAsync(email);

        using var export = await _client.SendAsync(HttpMethod.Get, "/auth/account/export", session.AccessToken);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var text = await export.Content.ReadAsStringAsync(Token);
        var body = System.Text.Json.JsonDocument.Parse(text).RootElement;
        Assert.Equal(email, body.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal("en", body.GetProperty("account").GetProperty("language").GetString());
        var exported = Assert.Single(body.GetProperty("sessions").EnumerateArray());
        Assert.Equal("ExportTest/1.0", exported.GetProperty("user_agent").GetString());
        Assert.Equal(["pwd"], exported.GetProperty("auth_methods").EnumerateArray().Select(m => m.GetString()));
        Assert.DoesNotContain("$2", text, StringComparison.Ordinal); // a bcrypt hash
        Assert.DoesNotContain(session.RefreshToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(session.AccessToken.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every row of every table in the database whose text holds the user's id or address.</summary>
    private async Task<List<string>> RowsAboutAsync(Guid userId, string email)
    {
        await using var connection = new NpgsqlConnection(await system.GetConnectionStringAsync("otpauth", Token));
        await connection.OpenAsync(Token);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync(Token))
        {
            while (await reader.ReadAsync(Token))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("users", tables);
        var found = new List<string>();
        foreach (var table in tables)
        {
            await using var search = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t WHERE strpos(t::text, @id) > 0 OR strpos(t::text, @email) > 0", connection);
            search.Parameters.AddWithValue("id", userId.ToString());
            search.Parameters.AddWithValue("email", email);
            await using var reader = await search.ExecuteReaderAsync(Token);
            while (await reader.ReadAsync(Token))
            {
                found.Add($"{table}: {reader.GetString(0)}");
            }
        }

        return found;
    }

    /// <summary>Every Redis key that names the user's id or the opaque id of their address.</summary>
    private async Task<List<string>> RedisKeysAboutAsync(Guid userId, string email)
    {
        var addressKey = new OtpHasher(TestApp.OtpHashKey).AddressKey(email);
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await system.GetConnectionStringAsync("redis", Token))!);
        var found = new List<string>();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: "*", pageSize: 1000))
            {
                var name = key.ToString();
                if (name.Contains(addressKey, StringComparison.Ordinal) || name.Contains(userId.ToString("N"), StringComparison.Ordinal))
                {
                    found.Add(name);
                }
            }
        }

        return found;
    }

    public void Dispose() => _client.Dispose();
}
