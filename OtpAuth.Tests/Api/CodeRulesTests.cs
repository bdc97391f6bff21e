using System.Net;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>
/// The one-time code rules (docs/architecture.md, "One-time codes") that hold whatever the timings, run against the Api on Redis ("api") and
/// on Garnet ("api-garnet"), since the Lua scripts must behave the same on both.
/// </summary>
public sealed class CodeRulesTests(OtpAuthSystem system)
{
    [Theory]
    [InlineData("api")]
    [InlineData("api-garnet")]
    public async Task The_right_code_verifies_and_a_wrong_one_does_not(string api)
    {
        using var client = new AuthClient(system, api);
        var email = AuthClient.NewAddress();
        using var registered = await client.RegisterAsync(email);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var code = await client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        using var wrong = await client.VerifyAsync(email, AuthClient.WrongCodeFor(code));
        using var right = await client.VerifyAsync(email, code);

        await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("api-garnet")]
    public async Task After_five_wrong_codes_even_the_right_one_is_refused(string api)
    {
        using var client = new AuthClient(system, api);
        var email = AuthClient.NewAddress();
        using var registered = await client.RegisterAsync(email);
        var code = await client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await client.VerifyAsync(email, AuthClient.WrongCodeFor(code));
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        using var right = await client.VerifyAsync(email, code);
        await AuthClient.AssertProblemAsync(right, HttpStatusCode.BadRequest, "Invalid or expired code");
    }

    [Theory]
    [InlineData("api")]
    [InlineData("api-garnet")]
    public async Task Twenty_concurrent_verifies_with_the_right_code_make_one_account_and_count_as_no_wrong_code(string api)
    {
        // A double-click, a retried request, a second tab: the duplicates of a right code are refused as used, but they
        // are not guesses. Counted as wrong codes, they spent the address's budget (429s) and, past the registration's
        // lifetime budget, voided the registration before the winner's account was written (the winner got a 400).
        using var client = new AuthClient(system, api);
        var email = AuthClient.NewAddress();
        using var registered = await client.RegisterAsync(email);
        var code = await client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.VerifyAsync(email, code)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(19, statuses.Count(s => s == HttpStatusCode.BadRequest));
        using var login = await client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("api-garnet")]
    public async Task Ten_wrong_codes_in_an_hour_lock_the_address_with_429(string api)
    {
        using var client = new AuthClient(system, api);
        var email = AuthClient.NewAddress();
        using var registered = await client.RegisterAsync(email);
        var code = await client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            using var wrong = await client.VerifyAsync(email, AuthClient.WrongCodeFor(code));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var locked = await client.VerifyAsync(email, code);
        await AuthClient.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests);
        Assert.InRange(locked.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("api-garnet")]
    public async Task A_second_resend_within_the_cooldown_answers_429(string api)
    {
        using var client = new AuthClient(system, api);
        var email = AuthClient.NewAddress();
        using var first = await client.ResendAsync(email);
        using var second = await client.ResendAsync(email);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
    }
}
