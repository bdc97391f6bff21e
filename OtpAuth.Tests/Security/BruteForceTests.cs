using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// A script guessing the codes of one registration, asking for a new code whenever one dies, against "api-fast" (resend
/// cooldown 2 s; the code rules at their defaults: 5 tries per code, 10 per registration in all, 10 per address and
/// network per hour).
/// </summary>
public sealed class BruteForceTests(OtpAuthSystem system) : IDisposable
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2.2);
    private readonly AuthClient _client = new(system, "api-fast");

    [Fact]
    public async Task Guessing_a_registrations_codes_stops_at_ten_wrong_answers_in_all_and_then_the_registration_is_void()
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
                // Ask for a new code and take it if one came (the 202 comes once the mail is in the mailbox).
                await Task.Delay(Cooldown, token);
                using var resent = await _client.ResendAsync(email);
                Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
                var inbox = await _client.Mail.GetMessagesToAsync(email, token);
                if (inbox.Count > mails)
                {
                    mails = inbox.Count;
                    code = MailInbox.CodeIn(inbox[^1].Text);
                }
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

        // The registration went void at its tenth wrong code: the resend after it mailed nothing, and another does not either.
        Assert.Equal(2, mails);
        await Task.Delay(Cooldown, token);
        using (var resent = await _client.ResendAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        }

        Assert.Equal(2, await _client.CountMailsAsync(email));
    }

    public void Dispose() => _client.Dispose();
}
