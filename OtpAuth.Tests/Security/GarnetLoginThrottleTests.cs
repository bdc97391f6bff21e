using System.Diagnostics;
using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// The login throttle's Lua script on Garnet (<see cref="OtpAuthSystem.Garnet"/>): 3 failures answered at once,
/// then a wait of 3 s doubling up to 6 s. The script does float arithmetic (<c>2 ^ k</c>) before <c>SET … PX</c> and
/// reads the wait back with <c>PTTL</c>, which must come out the same on Garnet as on Redis.
/// </summary>
public sealed class GarnetLoginThrottleTests(OtpAuthSystem system) : IDisposable
{
    private const string WrongPassword = "not the right one at all";
    private readonly AuthClient _client = new(system, OtpAuthSystem.Garnet);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_Garnet_wrong_passwords_throttle_the_account_with_waits_that_double_up_to_the_cap_and_the_right_one_is_refused_meanwhile()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email);

        for (var i = 0; i < 2; i++)
        {
            using var free = await _client.LoginAsync(email, WrongPassword);
            await AuthClient.AssertProblemAsync(free, HttpStatusCode.Unauthorized, "Invalid email or password");
        }

        // The 3rd failure starts the base wait, the 4th doubles it, the 5th would double again but is held at the cap.
        foreach (var expectedSeconds in new[] { 3, 6, 6 })
        {
            var sinceFailure = Stopwatch.StartNew();
            using (var wrong = await _client.LoginAsync(email, WrongPassword))
            {
                await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Invalid email or password");
            }

            using var refused = await _client.LoginAsync(email);
            await AuthClient.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
            var wait = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(wait);
            // Retry-After is the lock's remaining time rounded up: the full wait unless the two requests took a while.
            var atLeast = Math.Max(1, (int)Math.Ceiling(expectedSeconds - sinceFailure.Elapsed.TotalSeconds));
            Assert.InRange(wait.Value, TimeSpan.FromSeconds(atLeast), TimeSpan.FromSeconds(expectedSeconds));

            await Task.Delay(wait.Value + TimeSpan.FromMilliseconds(300), Token);
        }

        using var accepted = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        // Success forgets the failures: the next wrong password is an ordinary 401 and the right one is not held back.
        using var afterSuccess = await _client.LoginAsync(email, WrongPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, afterSuccess.StatusCode);
        using var again = await _client.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
