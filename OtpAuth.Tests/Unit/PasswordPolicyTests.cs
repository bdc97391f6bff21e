using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

/// <summary>New passwords: guessable ones are refused with a reason the person can act on; no composition rules.</summary>
public sealed class PasswordPolicyTests
{
    private const int Bits = 16;

    [Theory]
    [InlineData("password1", "most common passwords")]
    [InlineData("12345678", "most common passwords")]
    [InlineData("qwertyuiop", "most common passwords")]
    [InlineData("aaaaaaaaaa", "Repeated characters")]
    [InlineData("abcdefghij", "Sequences")]
    [InlineData("jennifer1", "Common words and names")]
    public void Guessable_passwords_are_refused_with_a_reason(string password, string reason)
    {
        var explanation = PasswordPolicy.Explain(password, "someone@example.com", Bits);

        Assert.NotNull(explanation);
        Assert.Contains(reason, explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_made_of_the_persons_own_address_is_refused()
    {
        var explanation = PasswordPolicy.Explain("ada.lovelace1", "ada.lovelace@example.com", Bits);

        Assert.Equal("The password must not contain your email address. Choose something else.", explanation);
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("violet tractor lagoon")]
    [InlineData("caf\u00e9 au lait")]
    [InlineData("all lower case and no digits at all")]
    public void Passphrases_pass_without_any_composition_rule(string password) =>
        Assert.Null(PasswordPolicy.Explain(password, "someone@example.com", Bits));

    [Fact]
    public void Only_the_first_characters_are_estimated_so_a_long_password_costs_little()
    {
        var strongStart = "violet tractor lagoon " + new string('a', 100);

        Assert.Null(PasswordPolicy.Explain(strongStart, null, Bits));
    }
}
