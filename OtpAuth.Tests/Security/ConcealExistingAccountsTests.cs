using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Security;

/// <summary>
/// <c>Auth:ConcealExistingAccounts</c>, on for <see cref="OtpAuthSystem.Conceal"/>: register, verify, resend and login
/// answer a stranger alike whether or not the address has a verified account. The time comparison runs with no other
/// test beside it: on two cores a parallel test class's bursts land on some samples and not others.
/// </summary>
[Collection(QuietMachine.Name)]
public sealed class ConcealExistingAccountsTests(OtpAuthSystem system) : IDisposable
{
    private const string StrangersPassword = "a stranger's guess at a password";
    private const int Addresses = 12;
    private const int WarmUpPairs = 2;
    private const int Rounds = 3;
    private static readonly TimeSpan PauseBetweenPairs = TimeSpan.FromMilliseconds(30);
    private readonly AuthClient _client = new(system, OtpAuthSystem.Conceal);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Registering_a_verified_address_answers_like_a_new_one_and_tells_the_owner()
    {
        var owner = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(owner);

        using var again = await _client.RegisterAsync(owner, StrangersPassword);
        using var fresh = await _client.RegisterAsync(AuthClient.NewAddress(), StrangersPassword);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        var freshBody = await fresh.Content.ReadAsStringAsync(Token);
        var freshEmail = JsonNode.Parse(freshBody)!["email"]!.GetValue<string>();
        Assert.Equal(Shape(freshBody).Replace(freshEmail, owner, StringComparison.Ordinal), Shape(await again.Content.ReadAsStringAsync(Token)));

        var notice = await _client.Mail.WaitForMessageAsync(owner, m => m.Subject.Contains("tried to register", StringComparison.Ordinal), Token);
        Assert.DoesNotMatch(@"\d{6}", notice.Text);
        using var login = await _client.LoginAsync(owner);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode); // the stranger's password replaced nothing
    }

    [Fact]
    public async Task The_password_a_stranger_just_registered_logs_in_to_403_for_an_existing_address_as_for_a_new_one()
    {
        var existing = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(existing);
        var fresh = AuthClient.NewAddress();
        using (var a = await _client.RegisterAsync(existing, StrangersPassword))
        using (var b = await _client.RegisterAsync(fresh, StrangersPassword))
        {
            Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (a.StatusCode, b.StatusCode));
        }

        using var atExisting = await _client.LoginAsync(existing, StrangersPassword);
        using var atFresh = await _client.LoginAsync(fresh, StrangersPassword);

        await AuthClient.AssertProblemAsync(atExisting, HttpStatusCode.Forbidden, "Email not verified");
        await AuthClient.AssertProblemAsync(atFresh, HttpStatusCode.Forbidden, "Email not verified");
    }

    [Fact]
    public async Task Register_verify_resend_and_login_are_alike_in_status_body_and_time_for_existing_and_new_addresses()
    {
        var existing = new List<string>();
        for (var i = 0; i < Addresses; i++)
        {
            existing.Add(AuthClient.NewAddress());
            await _client.RegisterAndVerifyAsync(existing[^1]);
        }

        var fresh = Enumerable.Range(0, Addresses).Select(_ => AuthClient.NewAddress()).ToList();
        var calls = new (string Name, Func<string, Task<HttpResponseMessage>> Call)[]
        {
            ("register", email => _client.RegisterAsync(email, StrangersPassword)),
            ("verify", email => _client.VerifyAsync(email, "000000")),
            ("resend", email => _client.ResendAsync(email)),
            ("login", email => _client.LoginAsync(email, StrangersPassword)),
        };

        await QuietMachine.WaitUntilQuietAsync(TimeSpan.FromSeconds(60), Token);
        foreach (var (name, call) in calls)
        {
            var times = (Existing: new List<double>(), Fresh: new List<double>());
            for (var n = 0; n < Rounds * existing.Count; n++)
            {
                var i = n % existing.Count;
                // A pause first, for what the previous pair left running (the mail server storing its mails, PostgreSQL
                // writing) to finish; then the two interleaved, in turn first, so whatever else remains weighs on both alike.
                await Task.Delay(PauseBetweenPairs, Token);
                var (first, second) = n % 2 == 0 ? (existing[i], fresh[i]) : (fresh[i], existing[i]);
                var firstTimed = await TimeAsync(() => call(first));
                var secondTimed = await TimeAsync(() => call(second));
                var ((existingAnswer, existingMs), (freshAnswer, freshMs)) = n % 2 == 0 ? (firstTimed, secondTimed) : (secondTimed, firstTimed);
                Assert.True(existingAnswer.Status == freshAnswer.Status, $"{name}: {existingAnswer.Status} for an existing address, {freshAnswer.Status} for a new one");
                Assert.Equal(existingAnswer.Body.Replace(existing[i], "<email>", StringComparison.Ordinal), freshAnswer.Body.Replace(fresh[i], "<email>", StringComparison.Ordinal));
                if (n >= WarmUpPairs) // the first calls of a path also pay for its JIT compilation
                {
                    times.Existing.Add(existingMs);
                    times.Fresh.Add(freshMs);
                }
            }

            // The typical difference within a pair, within 10 % of the call's time or 2 ms (loopback jitter alone is that
            // on the calls of a few milliseconds). Work one path does and the other does not (a bcrypt, a mail, a round
            // trip) is in every pair; whatever else the machine does comes in bursts (of up to a hundred ms on two cores)
            // that land on one call of a pair or span both, and the median of the differences sets both kinds aside.
            var difference = Median(times.Existing.Zip(times.Fresh, (e, f) => e - f));
            var typical = Median(times.Existing.Concat(times.Fresh));
            Assert.True(Math.Abs(difference) <= Math.Max(0.10 * typical, 2.0),
                $"{name}: existing addresses answered {difference:F1} ms slower than new ones at the median of {times.Existing.Count} pairs "
                + $"(the call takes {typical:F1} ms); pairs (existing | new): "
                + string.Join(", ", times.Existing.Zip(times.Fresh, (e, f) => $"{e:F0}|{f:F0}")));
        }
    }

    private static async Task<((HttpStatusCode Status, string Body) Answer, double Milliseconds)> TimeAsync(Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        using var response = await call();
        var body = await response.Content.ReadAsStringAsync(Token);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        return ((response.StatusCode, Shape(body)), elapsed);
    }

    /// <summary>A body with what differs per call by design (a registration id, a trace id) taken out.</summary>
    private static string Shape(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        foreach (var perCall in new[] { "registration_id", "trace_id" })
        {
            if (json.ContainsKey(perCall))
            {
                json[perCall] = "…";
            }
        }

        return json.ToJsonString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public void Dispose() => _client.Dispose();
}
