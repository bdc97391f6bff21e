using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The service-wide mail budget (<c>RateLimits:MailsPerMinute</c>) on <see cref="OtpAuthSystem.MailCap"/>: 3 mails a
/// minute, one fixed window for the whole variant, so this is the only test that talks to it.
/// </summary>
public sealed class MailCapTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system, OtpAuthSystem.MailCap);

    [Fact]
    public async Task Past_the_service_wide_mail_budget_register_answers_503_with_Retry_After_and_sends_nothing()
    {
        var token = TestContext.Current.CancellationToken;
        var addresses = Enumerable.Range(0, OtpAuthSystem.MailCapPerMinute + 1).Select(_ => AuthClient.NewAddress()).ToList();
        var accepted = addresses[..OtpAuthSystem.MailCapPerMinute];
        var refused = addresses[^1];

        foreach (var email in accepted)
        {
            using var registered = await _client.RegisterAsync(email);
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }

        using (var overBudget = await _client.RegisterAsync(refused))
        {
            var problem = await AuthClient.AssertProblemAsync(overBudget, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("try again in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var retryAfter = overBudget.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        }

        foreach (var email in accepted)
        {
            await _client.Mail.WaitForCodeAsync(email, token);
            Assert.Equal(1, await _client.CountMailsAsync(email));
        }

        // The refused address's mail would have been sent before its answer; give the inbox a moment anyway.
        await Task.Delay(TimeSpan.FromSeconds(1), token);
        Assert.Equal(0, await _client.CountMailsAsync(refused));
    }

    public void Dispose() => _client.Dispose();
}
