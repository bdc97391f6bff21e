using System.Net;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Api;

/// <summary>Input rules (docs/api.md, "Input rules"): one account per address whatever its case, spacing or Unicode form; every password character counts.</summary>
public sealed class NormalizationTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    [Fact]
    public async Task Case_and_surrounding_spaces_make_no_difference_to_the_address()
    {
        var email = AuthClient.NewAddress();
        var typed = $"  {email.ToUpperInvariant()}\t";

        using var registered = await _client.RegisterAsync(typed);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        Assert.Equal(email, (await AuthClient.ReadJsonAsync(registered)).GetProperty("email").GetString());

        // The mail went to the normalized address, and the code verifies under any spelling of it.
        var code = await _client.Mail.WaitForCodeAsync(email, TestContext.Current.CancellationToken);
        using var verified = await _client.VerifyAsync($" {char.ToUpperInvariant(email[0])}{email[1..]} ", code);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);

        using var login = await _client.LoginAsync(email.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var again = await _client.RegisterAsync(email);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task An_address_typed_decomposed_is_the_same_account_as_precomposed()
    {
        // Checked without reading the mail: the dev mail server mis-decodes non-ASCII recipients in its listing
        // (the SMTP envelope itself carries the right address).
        var local = Guid.NewGuid().ToString("N");
        var precomposed = $"jos\u00e9.{local}@example.test";
        var decomposed = $"JOSE\u0301.{local.ToUpperInvariant()}@EXAMPLE.TEST";

        using var registered = await _client.RegisterAsync(decomposed);
        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        Assert.Equal(precomposed, (await AuthClient.ReadJsonAsync(registered)).GetProperty("email").GetString());

        // Same address: the password registered through one spelling is the password of the other (403 comes only after
        // the password matched a pending registration of the address).
        using var login = await _client.LoginAsync(precomposed);
        await AuthClient.AssertProblemAsync(login, HttpStatusCode.Forbidden, "Email not verified");
    }

    [Fact]
    public async Task A_password_with_a_precomposed_e_acute_logs_in_with_the_decomposed_form()
    {
        var email = AuthClient.NewAddress();
        await _client.RegisterAndVerifyAsync(email, "caf\u00e9 au lait");

        using var decomposed = await _client.LoginAsync(email, "cafe\u0301 au lait");
        using var withoutAccent = await _client.LoginAsync(email, "cafe au lait");

        Assert.Equal(HttpStatusCode.OK, decomposed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutAccent.StatusCode);
    }

    [Fact]
    public async Task A_password_of_72_characters_and_X_does_not_log_in_with_the_same_72_and_Y()
    {
        var email = AuthClient.NewAddress();
        // 72 bytes are all bcrypt itself reads; the prefix is varied words because a run of one letter is refused as guessable.
        var prefix = "amber falcon orbits the violet lagoon while crimson kettles hum softly at noon"[..72];
        Assert.Equal(72, prefix.Length);
        var password = prefix + "X";
        await _client.RegisterAndVerifyAsync(email, password);

        using var otherEnding = await _client.LoginAsync(email, prefix + "Y");
        using var truncated = await _client.LoginAsync(email, prefix);
        using var exact = await _client.LoginAsync(email, password);

        await AuthClient.AssertProblemAsync(otherEnding, HttpStatusCode.Unauthorized, "Invalid email or password");
        await AuthClient.AssertProblemAsync(truncated, HttpStatusCode.Unauthorized, "Invalid email or password");
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
    }

    public void Dispose() => _client.Dispose();
}
