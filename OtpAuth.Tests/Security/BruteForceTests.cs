using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// A script guessing codes for one address, asking for a new code whenever one dies, against "api-fast" (resend
/// cooldown 2 s; the code rules at their defaults: 5 tries per code, 10 failures and 5 codes per address per hour).
/// </summary>
public sealed class BruteForceTests(OtpAuthSystem system) : IDisposable
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2.2);
    private readonly AuthClient _client = new(system, "api-fast");

    [Fact]
    public async Task Guessing_codes_stops_at_ten_failures_an_hour_and_resending_cannot_buy_more_than_five_codes()
    {
        var token = TestContext.Current.CancellationToken;
        var email = AuthClient.NewAddress();
        using (var registered = await _client.RegisterAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        var code = await _client.Mail.WaitForCodeAsync(email, token);
        var mails = 1;
        var wrongAnswered = 0;
        HttpResponseMessage? locked = null;
        // The script: guess until refused, then ask for a new code; bounded well above what the rules allow.
        for (var round = 0; round < 10 && locked is null; round++)
        {
            for (var guess = 0; guess < 5; guess++)
            {
                var response = await _client.VerifyAsync(email, AuthClient.WrongCodeFor(code));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    locked = response;
                    break;
                }

                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                response.Dispose();
                wrongAnswered++;
            }

            if (locked is null)
            {
                await Task.Delay(Cooldown, token);
                using var resent = await _client.ResendAsync(email);
                Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
                code = await _client.WaitForNewCodeAsync(email, mails++);
            }
        }

        Assert.NotNull(locked);
        using (locked)
        {
            await AuthClient.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests);
            Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), "locked for the rest of the hour");
        }

        Assert.Equal(10, wrongAnswered);
        // Even the newest, right code is refused now.
        using (var right = await _client.VerifyAsync(email, code))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        }

        // New codes keep coming only up to the hourly cap of 5, whatever the script does.
        HttpStatusCode last;
        do
        {
            await Task.Delay(Cooldown, token);
            using var resent = await _client.ResendAsync(email);
            last = resent.StatusCode;
        }
        while (last == HttpStatusCode.Accepted && await WaitForMailAsync(email, mails++));

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.Equal(5, await _client.CountMailsAsync(email));
    }

    private async Task<bool> WaitForMailAsync(string email, int previousCount)
    {
        await _client.WaitForNewCodeAsync(email, previousCount);
        return previousCount < 10;
    }

    public void Dispose() => _client.Dispose();
}
