using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Passwords.Bcrypt;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// The system's libxcrypt and BCrypt.Net-Next's enhanced mode make interchangeable hashes: each verifies the other's,
/// for every password of a corpus with ASCII, Unicode in several forms, emoji, and passwords past bcrypt's 72 bytes.
/// </summary>
public sealed class NativeBcryptTests
{
    private const int Cost = 4;

    public static TheoryData<string> Corpus => new(
        "correct horse battery staple",
        "pässwörd mit Ümläuten",
        "パスワードは長い方がいい",
        "emoji 🔐🗝️ and a flag 🇫🇷",
        "e\u0301te\u0301 de\u0301compose\u0301", // as sent; the hasher receives NFC, both sides alike
        new string('a', 72) + "X",
        string.Concat(Enumerable.Repeat("long passphrase ", 8)),
        " leading and trailing spaces ");

    [Fact]
    public void The_system_libxcrypt_is_used_on_Linux() =>
        Assert.True(NativeBcrypt.IsAvailable || !OperatingSystem.IsLinux(), "libcrypt.so.1 ships with every glibc Linux this runs on");

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hash_made_by_either_verifies_with_the_other_and_a_wrong_password_with_neither(string password)
    {
        Assert.SkipUnless(NativeBcrypt.IsAvailable, "libxcrypt is not on this machine");
        var normalized = PasswordRules.Normalize(password);
        var managed = BCryptNet.EnhancedHashPassword(normalized, Cost, HashType.SHA384);
        var native = NativeBcrypt.Hash(PasswordHasher.EnhancedKey(normalized), Cost);

        Assert.StartsWith("$2b$04$", native, StringComparison.Ordinal);
        Assert.Equal(60, native.Length);
        Assert.True(NativeBcrypt.Verify(PasswordHasher.EnhancedKey(normalized), managed));
        Assert.True(BCryptNet.EnhancedVerify(normalized, native, HashType.SHA384));
        Assert.False(NativeBcrypt.Verify(PasswordHasher.EnhancedKey(normalized + "!"), managed));
        Assert.False(BCryptNet.EnhancedVerify(normalized + "!", native, HashType.SHA384));
    }

    [Fact]
    public void Passwords_that_share_their_first_72_bytes_still_differ()
    {
        var hasher = new PasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = Cost }));
        var hash = hasher.Hash(new string('a', 72) + "X");

        Assert.False(hasher.Verify(new string('a', 72) + "Y", hash));
        Assert.True(hasher.Verify(new string('a', 72) + "X", hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$2b$04$tooshort")]
    public void A_stored_value_that_is_no_bcrypt_hash_verifies_nothing(string stored)
    {
        Assert.SkipUnless(NativeBcrypt.IsAvailable, "libxcrypt is not on this machine");
        Assert.False(NativeBcrypt.Verify(PasswordHasher.EnhancedKey("anything"), stored));
    }
}
