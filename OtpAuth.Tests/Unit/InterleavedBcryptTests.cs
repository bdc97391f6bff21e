using System.Numerics;
using System.Security.Cryptography;
using OtpAuth.Api.Passwords;
using OtpAuth.Api.Passwords.Bcrypt;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// The interleaved bcrypt computes, two or four at once, exactly the hashes the one-at-a-time implementations compute:
/// a hash made by any of libxcrypt, BCrypt.Net-Next's enhanced mode and the interleaved code verifies with the others,
/// for the corpus of <see cref="NativeBcryptTests"/> (Unicode, emoji, past bcrypt's 72 bytes).
/// </summary>
public sealed class InterleavedBcryptTests
{
    private const int Cost = 4;

    private static readonly string[] Corpus = NativeBcryptTests.Corpus.Select(row => row.Data).ToArray();

    [Fact]
    public void The_interleaved_code_passed_its_self_test_here() => Assert.Equal(4, BcryptEngine.MaxLanes);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Each_lane_gives_the_hash_the_one_at_a_time_implementations_give(int lanes)
    {
        for (var start = 0; start + lanes <= Corpus.Length; start += lanes)
        {
            var passwords = Corpus.AsSpan(start, lanes).ToArray().Select(PasswordRules.Normalize).ToArray();
            var keys = passwords.Select(PasswordHasher.EnhancedKey).ToArray();
            var settings = keys.Select(_ => NewSetting()).ToArray();

            var hashes = InterleavedBcrypt.Compute(keys, settings);

            for (var lane = 0; lane < lanes; lane++)
            {
                Assert.Equal(BCryptNet.HashPassword(keys[lane], settings[lane].Text), hashes[lane]);
                Assert.True(BCryptNet.EnhancedVerify(passwords[lane], hashes[lane], HashType.SHA384));
                Assert.False(BCryptNet.EnhancedVerify(passwords[lane] + "!", hashes[lane], HashType.SHA384));
                if (NativeBcrypt.IsAvailable)
                {
                    Assert.Equal(NativeBcrypt.Crypt(keys[lane], settings[lane].Text), hashes[lane]);
                }
            }
        }
    }

    [Fact]
    public void Hashes_stored_by_BCrypt_Net_Next_are_recomputed_exactly_under_their_own_setting()
    {
        // "$2a$" hashes as BCrypt.Net-Next's enhanced mode stored them before libxcrypt or interleaving existed.
        var passwords = Corpus.Take(4).Select(PasswordRules.Normalize).ToArray();
        var stored = passwords.Select(password => BCryptNet.EnhancedHashPassword(password, Cost, HashType.SHA384)).ToArray();
        var settings = stored.Select(hash => BcryptSetting.TryParse(hash, out var setting) ? setting : throw new InvalidOperationException(hash)).ToArray();

        var recomputed = InterleavedBcrypt.Compute(passwords.Select(PasswordHasher.EnhancedKey).ToArray(), settings);

        Assert.Equal(stored, recomputed);
        Assert.All(stored, hash => Assert.StartsWith("$2a$04$", hash, StringComparison.Ordinal));
    }

    [Fact]
    public void Three_keys_are_computed_as_four_and_each_still_gets_its_own_hash()
    {
        var keys = Corpus.Take(3).Select(PasswordHasher.EnhancedKey).ToArray();
        var settings = keys.Select(_ => NewSetting()).ToArray();

        var hashes = BcryptEngine.Compute(keys, settings);

        Assert.Equal(keys.Select((key, i) => BCryptNet.HashPassword(key, settings[i].Text)), hashes);
    }

    [Fact]
    public void Keys_of_different_costs_are_not_computed_together()
    {
        var keys = new[] { "one", "two" };
        var settings = new[] { NewSetting(), BcryptSetting.Create(5, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes)) };

        Assert.Throws<ArgumentException>(() => InterleavedBcrypt.Compute(keys, settings));
    }

    [Theory]
    [InlineData("$2y$")]
    [InlineData("$2x$")]
    [InlineData("$2a$")]
    public void Every_variant_letter_computes_the_same_hash_alone_and_interleaved(string prefix)
    {
        var keys = Corpus.Take(2).Select(PasswordHasher.EnhancedKey).ToArray();
        var settings = keys.Select(_ => Parse(prefix + NewSetting().Text[4..])).ToArray();

        var together = InterleavedBcrypt.Compute(keys, settings);

        Assert.Equal(keys.Select((key, i) => BcryptEngine.Compute(key, settings[i])), together);
        Assert.All(together, hash => Assert.StartsWith(prefix, hash, StringComparison.Ordinal));
    }

    [Fact]
    public void A_salt_with_padding_bits_set_is_read_as_libxcrypt_reads_it_so_alone_and_together_agree()
    {
        var canonical = NewSetting().Text;
        // The 22nd character holds 2 bits of salt and 4 of padding (0 in a canonical one): + 1 sets one, same salt.
        const string alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var padded = canonical[..28] + alphabet[alphabet.IndexOf(canonical[28], StringComparison.Ordinal) + 1];
        var setting = Parse(padded);
        var keys = new[] { PasswordHasher.EnhancedKey("one"), PasswordHasher.EnhancedKey("two") };

        Assert.Equal(canonical, setting.Text);
        Assert.Equal(BcryptEngine.Compute(keys[0], setting), InterleavedBcrypt.Compute(keys, [setting, setting])[0]);
    }

    private static BcryptSetting Parse(string text) =>
        BcryptSetting.TryParse(text, out var setting) ? setting : throw new InvalidOperationException(text);

    [Fact]
    public void Blowfish_starts_from_the_hexadecimal_digits_of_pi()
    {
        // π's fraction to 1,042 words (33,344 bits) and some guard bits, by Machin's formula in fixed point.
        const int guard = 64;
        var bits = (BlowfishPi.StateWords * 32) + guard;
        var one = BigInteger.One << bits;
        var pi = (16 * ArctanOfInverse(5, one)) - (4 * ArctanOfInverse(239, one));
        var fraction = pi - (3 * one);

        var words = Enumerable.Range(0, BlowfishPi.StateWords)
            .Select(i => (uint)((fraction >> (bits - (32 * (i + 1)))) & uint.MaxValue))
            .ToArray();

        Assert.Equal(words, BlowfishPi.State.ToArray());
    }

    private static BigInteger ArctanOfInverse(int x, BigInteger one)
    {
        var term = one / x;
        var sum = term;
        var squared = x * x;
        for (var n = 1; !term.IsZero; n++)
        {
            term /= squared;
            sum += (n % 2 == 1 ? -term : term) / ((2 * n) + 1);
        }

        return sum;
    }

    private static BcryptSetting NewSetting() => BcryptSetting.Create(Cost, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes));
}
