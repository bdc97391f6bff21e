using System.Net;
using Npgsql;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

public sealed class ConcurrentRegistrationTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task Ten_concurrent_registrations_of_one_new_address_make_one_account_and_no_server_error()
    {
        var email = AuthClient.NewAddress();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.RegisterAsync(email)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.All(statuses, s => Assert.True((int)s < 500, $"no server error, got {(int)s}"));
        Assert.Contains(HttpStatusCode.Accepted, statuses);
        Assert.Equal(1, await CountAccountsAsync(email));
        // The one account can be verified with the code that was mailed.
        var code = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);
        using var verified = await _client.VerifyAsync(email, code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
    }

    private async Task<long> CountAccountsAsync(string email)
    {
        var connectionString = await system.GetConnectionStringAsync("otpauth", TestContext.Current.CancellationToken);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email = @email", connection);
        count.Parameters.AddWithValue("email", email);
        return (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public void Dispose() => _client.Dispose();
}
