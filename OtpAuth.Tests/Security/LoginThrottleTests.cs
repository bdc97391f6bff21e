using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Login throttling per account on <see cref="OtpAuthSystem.Limits"/>: 3 failures answered at once, then a wait of
/// 2 s doubling up to 3 s (the defaults are 5, 30 s and 15 minutes).
/// </summary>
[Collection(TightLimits.Name)]
public sealed class LoginThrottleTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system, OtpAuthSystem.Limits + "-0");

    [Fact]
    public async Task Wrong_passwords_throttle_the_account_the_right_one_is_refused_meanwhile_and_accepted_after()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await _client.LoginAsync(email, "not the right one at all");
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid email or password");
        }

        using var throttled = await _client.LoginAsync(email);
        await AuthClient.AssertProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        var wait = throttled.Headers.RetryAfter?.Delta;
        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

        await Task.Delay(wait.Value + TimeSpan.FromMilliseconds(300), TightLimits.Token);
        using var accepted = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        // Success forgets the failures: the next wrong password is an ordinary 401 again.
        using var afterSuccess = await _client.LoginAsync(email, "not the right one at all");
        Assert.Equal(HttpStatusCode.Unauthorized, afterSuccess.StatusCode);
    }

    [Fact]
    public async Task An_address_without_an_account_is_throttled_the_same_way()
    {
        var known = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(known);
        var unknown = AuthClient.NewAddress();

        var answers = new Dictionary<string, List<HttpStatusCode>> { [known] = [], [unknown] = [] };
        foreach (var email in answers.Keys)
        {
            for (var i = 0; i < 4; i++)
            {
                using var response = await _client.LoginAsync(email, "not the right one at all");
                answers[email].Add(response.StatusCode);
            }
        }

        HttpStatusCode[] expected = [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests];
        Assert.Equal(expected, answers[known]);
        Assert.Equal(expected, answers[unknown]);
    }

    public void Dispose() => _client.Dispose();
}
