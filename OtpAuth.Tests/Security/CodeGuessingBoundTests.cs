using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// Guessing codes from many networks (Otp:MaxFailuresBeforeLongCodes, 12 on <see cref="OtpAuthSystem.Burst"/>, 100 by
/// default): once an address's wrong codes from every network together reach the bound, its short codes stop working and
/// its new codes are ten letters and digits. Nobody is refused for it: the owner reads the long code and enters it, however
/// many strangers go on guessing. Each network is played with X-Forwarded-For from loopback.
/// </summary>
public sealed class CodeGuessingBoundTests(OtpAuthSystem system) : IDisposable
{
    private const int Bound = OtpAuthSystem.BurstFailuresBeforeLongCodes;
    private readonly AuthClient _owner = new(system, OtpAuthSystem.Burst, clientIp: "192.0.2.90");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Past_the_bound_short_codes_stop_working_and_the_owner_verifies_with_a_long_code_while_strangers_go_on_guessing()
    {
        var email = AuthClient.NewAddress();
        using (var registered = await _owner.RegisterAsync(email))
        {
            Assert.Equal(6, (await AuthClient.ReadJsonAsync(registered)).GetProperty("code_length").GetInt32());
        }

        var shortCode = await _owner.Mail.WaitForCodeAsync(email, Token);

        // Strangers from several networks, each within its own budget (10 an hour), guess at the address's codes.
        await GuessAsync(email, shortCode, Bound, firstNetwork: 1);

        // The bound is reached: not even the right short code is taken any more.
        using (var tooLate = await _owner.VerifyAsync(email, shortCode))
        {
            await AuthClient.AssertProblemAsync(tooLate, HttpStatusCode.BadRequest, "Invalid or expired code");
        }

        var mails = await _owner.CountMailsAsync(email);
        using (var resent = await _owner.ResendAsync(email))
        {
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
            Assert.Equal(10, (await AuthClient.ReadJsonAsync(resent)).GetProperty("code_length").GetInt32());
        }

        var longCode = await _owner.Mail.WaitForNewLongCodeAsync(email, mails, Token);

        // Guessing goes on from new networks: it locks no one out.
        await GuessAsync(email, shortCode, 3 * Bound, firstNetwork: 20);

        using var verified = await _owner.VerifyAsync(email, longCode.ToLowerInvariant());
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using var login = await _owner.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    /// <summary><paramref name="count"/> wrong six-digit codes, six from each network.</summary>
    private async Task GuessAsync(string email, string rightCode, int count, int firstNetwork)
    {
        for (var i = 0; i < count; i++)
        {
            using var stranger = new AuthClient(system, OtpAuthSystem.Burst, clientIp: $"198.51.100.{firstNetwork + (i / 6)}");
            using var wrong = await stranger.VerifyAsync(email, AuthClient.WrongCodeFor(rightCode));
            await AuthClient.AssertProblemAsync(wrong, HttpStatusCode.BadRequest, "Invalid or expired code");
        }
    }

    public void Dispose() => _owner.Dispose();
}
