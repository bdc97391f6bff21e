using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

public sealed class InputRulesTests
{
    [Theory]
    [InlineData("ada@example.com", "ada@example.com")]
    [InlineData("  Ada@Example.COM \t", "ada@example.com")]
    [InlineData("JOSE\u0301@example.com", "jos\u00e9@example.com")] // decomposed É → precomposed é
    [InlineData("jos\u00e9@example.com", "jos\u00e9@example.com")]
    [InlineData("a.b+tag@sub.example.test", "a.b+tag@sub.example.test")]
    public void Emails_are_trimmed_NFC_normalized_and_lower_cased(string input, string expected)
    {
        Assert.Equal(expected, EmailAddress.Normalize(input, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null, "Email is required.")]
    [InlineData("   ", "Email is required.")]
    [InlineData("ada.example.com", "Email must contain exactly one @.")]
    [InlineData("ada@@example.com", "Email must contain exactly one @.")]
    [InlineData("a@b@example.com", "Email must contain exactly one @.")]
    [InlineData("@example.com", "Email needs a name before the @.")]
    [InlineData("ada@localhost", "Email needs a domain with a dot after the @, such as example.com.")]
    [InlineData("ada@.com", "Email needs a domain with a dot after the @, such as example.com.")]
    [InlineData("ada@example.", "Email needs a domain with a dot after the @, such as example.com.")]
    [InlineData("ada@example..com", "Email needs a domain with a dot after the @, such as example.com.")]
    [InlineData("a da@example.com", "Email must not contain spaces or control characters.")]
    public void Malformed_emails_are_refused_with_a_reason(string? input, string expected)
    {
        Assert.Null(EmailAddress.Normalize(input, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("<ada@example.com>")]
    [InlineData("ada@example.com (Ada)")]
    [InlineData("\"ada\"@example.com")]
    [InlineData("\"a b\"@example.com")]
    [InlineData("a,b@example.com")]
    [InlineData("a;b@example.com")]
    [InlineData("ada@[127.0.0.1]")]
    [InlineData("@route.example:ada@example.com")]
    [InlineData("a\\@b@example.com")]
    [InlineData(".ada@example.com")]
    [InlineData("ada.@example.com")]
    [InlineData("a..da@example.com")]
    [InlineData("ada＠example.com")]
    [InlineData("ada@exa_mple.com")]
    [InlineData("ada@-example.com")]
    public void Anything_but_a_plain_address_is_refused_with_a_reason(string input)
    {
        Assert.Null(EmailAddress.Normalize(input, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("ada@bücher.example", "ada@xn--bcher-kva.example")]
    [InlineData("ada@BÜCHER.example", "ada@xn--bcher-kva.example")]
    [InlineData("ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example")]
    [InlineData("ada@XN--BCHER-KVA.EXAMPLE", "ada@xn--bcher-kva.example")]
    public void A_domain_has_one_spelling_its_punycode(string input, string expected) =>
        Assert.Equal(expected, EmailAddress.Normalize(input, out _));

    [Fact]
    public void Emails_longer_than_254_characters_are_refused()
    {
        var local = new string('a', 64);
        // Labels of at most 63 characters: 63 + 1 + 63 + 1 + 57 + 4 = 189 after the 64 + 1 of the local part.
        var fits = $"{local}@{new string('b', 63)}.{new string('c', 63)}.{new string('d', 57)}.com";
        Assert.Equal(254, fits.Length);

        Assert.NotNull(EmailAddress.Normalize(fits, out _));
        Assert.Null(EmailAddress.Normalize(fits[..^4] + "x.com", out var error));
        Assert.Equal("Email must be at most 254 characters long.", error);
    }

    [Theory]
    [InlineData("1234567", "Password must be at least 8 characters long.")]
    [InlineData("12345678", null)]
    [InlineData("", "Password is required.")]
    [InlineData(null, "Password is required.")]
    public async Task Passwords_need_8_to_128_characters_by_default(string? password, string? expected) =>
        Assert.Equal(expected, await ValidateAsync(password, new PasswordOptions()));

    [Theory]
    [InlineData(8, "abcdefg", "Password must be at least 8 characters long.")]
    [InlineData(15, "abcdefghijklmn", "Password must be at least 15 characters long.")]
    [InlineData(15, "abcdefghijklmno", null)]
    public async Task Password_MinLength_sets_the_shortest_new_password(int minLength, string password, string? expected) =>
        Assert.Equal(expected, await ValidateAsync(password, new PasswordOptions { MinLength = minLength }));

    [Fact]
    public async Task Password_length_counts_code_points_not_UTF16_units()
    {
        var emoji = "\U0001F600"; // one code point, two UTF-16 units
        var options = new PasswordOptions();
        Assert.Null(await ValidateAsync(string.Concat(Enumerable.Repeat(emoji, 128)), options));
        Assert.Equal("Password must be at most 128 characters long.", await ValidateAsync(string.Concat(Enumerable.Repeat(emoji, 129)), options));
        Assert.Equal("Password must be at least 8 characters long.", await ValidateAsync(string.Concat(Enumerable.Repeat(emoji, 7)), options));
    }

    [Fact]
    public async Task Password_length_is_counted_after_NFC_normalization()
    {
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", 128)); // 256 code points before NFC, 128 after

        Assert.Null(await ValidateAsync(decomposed, new PasswordOptions()));
        Assert.Equal(PasswordRules.Normalize(string.Concat(Enumerable.Repeat("\u00e9", 128))), PasswordRules.Normalize(decomposed));
    }

    /// <summary>The length rules as registration applies them: through <see cref="PasswordPolicy"/> with the configured options (strength estimate off).</summary>
    private static Task<string?> ValidateAsync(string? password, PasswordOptions options)
    {
        options.MinGuessBits = 0;
        return Task.FromResult(new PasswordPolicy(Options.Create(options)).Validate(password, "someone@example.com"));
    }
}
