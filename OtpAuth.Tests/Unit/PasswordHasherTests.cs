using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

public sealed class PasswordHasherTests
{
    // The lowest cost bcrypt allows: these tests are about what is hashed, not how slowly.
    private readonly PasswordHasher _hasher = new(Options.Create(new PasswordOptions { BcryptWorkFactor = 4 }));

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
    public void The_unknown_email_path_never_accepts_a_password() =>
        Assert.False(_hasher.VerifyAgainstDummy("correct horse battery staple"));
}
