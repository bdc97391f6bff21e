using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace OtpAuth.Tests.Unit;

public sealed class PasswordHasherTests
{
    // The lowest cost bcrypt allows: these tests are about what is hashed, not how slowly.
    private readonly PasswordHasher _hasher = new(Options.Create(new PasswordOptions { BcryptWorkFactor = 4 }));

    public static TheoryData<string> Corpus => new(
        "correct horse battery staple",
        "pässwörd mit Ümläuten",
        "パスワードは長い方がいい",
        "emoji 🔐🗝️ and a flag 🇫🇷",
        "e\u0301te\u0301 de\u0301compose\u0301", // as sent; the hasher receives NFC, both sides alike
        new string('a', 72) + "X",
        " leading and trailing spaces ");

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hash_verifies_with_BCrypt_Net_Next_enhanced_mode_and_the_other_way_round(string password)
    {
        var normalized = PasswordRules.Normalize(password);
        var ours = _hasher.Hash(normalized);
        var theirs = BCryptNet.EnhancedHashPassword(normalized, 4, HashType.SHA384);

        Assert.True(BCryptNet.EnhancedVerify(normalized, ours, HashType.SHA384));
        Assert.True(_hasher.Verify(normalized, theirs));
        Assert.False(BCryptNet.EnhancedVerify(normalized + "!", ours, HashType.SHA384));
        Assert.False(_hasher.Verify(normalized + "!", theirs));
    }

    [Fact]
    public void A_password_verifies_against_its_own_hash_only()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.StartsWith("$2", hash, StringComparison.Ordinal);
        Assert.True(_hasher.Verify("correct horse battery staple", hash));
        Assert.False(_hasher.Verify("correct horse battery stapler", hash));
    }

    [Fact]
    public void Characters_past_bcrypts_72_byte_limit_still_count()
    {
        var hash = _hasher.Hash(new string('a', 72) + "X");

        Assert.False(_hasher.Verify(new string('a', 72) + "Y", hash));
        Assert.False(_hasher.Verify(new string('a', 72), hash));
        Assert.True(_hasher.Verify(new string('a', 72) + "X", hash));
    }

    [Fact]
    public void A_precomposed_password_matches_its_decomposed_form_once_normalized()
    {
        var hash = _hasher.Hash(PasswordRules.Normalize("caf\u00e9-au-lait"));

        Assert.True(_hasher.Verify(PasswordRules.Normalize("cafe\u0301-au-lait"), hash));
    }

    [Fact]
    public void The_same_password_gets_a_fresh_salt_each_time() =>
        Assert.NotEqual(_hasher.Hash("correct horse battery staple"), _hasher.Hash("correct horse battery staple"));

    [Fact]
    public void The_dummy_hash_exists_once_the_hasher_does_and_has_the_configured_work_factor()
    {
        var hasher = new PasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = 5 }));

        Assert.Equal(5, PasswordHasher.WorkFactorOf(hasher.DummyHash));
        Assert.False(hasher.NeedsRehash(hasher.DummyHash));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(10, true)]
    public void A_hash_of_another_work_factor_needs_rehashing(int storedWorkFactor, bool expected)
    {
        var stored = new PasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = storedWorkFactor })).Hash("correct horse battery staple");

        Assert.Equal(storedWorkFactor, PasswordHasher.WorkFactorOf(stored));
        Assert.Equal(expected, _hasher.NeedsRehash(stored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2b$xx$abcdefghijklmnopqrstuv")]
    public void An_unreadable_hash_needs_rehashing(string hash)
    {
        Assert.Null(PasswordHasher.WorkFactorOf(hash));
        Assert.True(_hasher.NeedsRehash(hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2b$04$tooshort")]
    public void A_stored_value_that_is_no_bcrypt_hash_verifies_nothing(string stored) =>
        Assert.False(_hasher.Verify("anything", stored));
}
