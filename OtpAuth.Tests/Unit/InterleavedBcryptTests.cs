using System.Numerics;
using System.Security.Cryptography;
using OtpAuth.Bcrypt;
using BCryptNet = BCrypt.Net.BCrypt;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// OtpAuth.Bcrypt is bcrypt as OpenBSD defines it and BCrypt.Net-Next (the reference) computes it: the published
/// vectors, and a corpus (ASCII, Unicode past the BMP, exactly 72 bytes, more, empty) at every cost 4–14, alone and in
/// step, giving the reference's hash for the same salt and verifying both ways.
/// </summary>
public sealed class InterleavedBcryptTests
{
    /// <summary>jBCrypt's vectors (from OpenBSD's) and three of Openwall's crypt_blowfish, with the 72-byte cut among them.</summary>
    public static TheoryData<string, string> KnownVectors => new()
    {
        { "", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s." },
        { "", "$2a$08$HqWuK6/Ng6sg9gQzbLrgb.Tl.ZHfXLhvt/SgVyWhQqgqcZ7ZuUtye" },
        { "", "$2a$10$k1wbIrmNyFAPwPVPSVa/zecw2BCEnBwVS2GbrmgzxFUOqW9dk4TCW" },
        { "a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe" },
        { "a", "$2a$08$cfcvVd2aQ8CMvoMpP2EBfeodLEkkFJ9umNEfPD18.hUF62qqlC/V." },
        { "a", "$2a$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u" },
        { "abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i" },
        { "abc", "$2a$08$Ro0CUfOqk6cXEKf3dyaM7OhSCvnwM9s4wIX9JeLapehKK5YdLxKcm" },
        { "abc", "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi" },
        { "abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC" },
        { "abcdefghijklmnopqrstuvwxyz", "$2a$08$aTsUwsyowQuzRrDqFflhgekJ8d9/7Z3GV3UcgvzQW3J5zMyrTvlz." },
        { "abcdefghijklmnopqrstuvwxyz", "$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq" },
        { "~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO" },
        { "~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$08$Eq2r4G/76Wv39MzSX262huzPz612MZiYHVUJe/OcOql2jo4.9UxTW" },
        { "~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS" },
        { "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
        { "U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
        { "U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a" },
        {
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
            "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"
        },
    };

    /// <summary>Keys as bcrypt sees them, not pre-hashed: the cut at 72 bytes and the UTF-8 of astral characters matter here.</summary>
    private static readonly string[] Corpus =
    [
        "correct horse battery staple",
        "",
        "pässwörd mit Ümläuten",
        "パスワードは長い方がいい",
        "emoji 🔐🗝️ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 past the BMP",
        new string('a', 72),
        new string('a', 71) + "é", // 73 bytes: the cut falls inside the last character
        new string('a', 72) + "X",
        string.Concat(Enumerable.Repeat("long passphrase ", 8)),
    ];

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void A_published_vector_is_computed_alone_and_in_step_as_BCrypt_Net_Next_computes_it(string key, string expected)
    {
        var setting = Parse(expected);

        Assert.Equal(expected, BCryptNet.HashPassword(key, expected[..BcryptSetting.Length]));
        Assert.Equal(expected, InterleavedBcrypt.Hash(key, setting));
        Assert.All(InterleavedBcrypt.Hash([key, "another key", key, "a fourth"], [setting, setting, setting, setting]).Where((_, lane) => lane % 2 == 0),
            hash => Assert.Equal(expected, hash));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void At_each_cost_the_corpus_hashes_as_BCrypt_Net_Next_hashes_it_and_verifies_both_ways(int cost)
    {
        // The whole corpus where a hash is cheap, two keys or one where it is not: the test stays within seconds.
        var keys = cost switch { <= 8 => Corpus, <= 11 => Corpus[4..6], _ => Corpus[4..5] };
        var settings = keys.Select(_ => NewSetting(cost)).ToArray();

        var alone = keys.Select((key, i) => InterleavedBcrypt.Hash(key, settings[i])).ToArray();
        var reference = keys.Select((key, i) => BCryptNet.HashPassword(key, settings[i].Text)).ToArray();

        Assert.Equal(reference, alone);
        if (cost <= 8)
        {
            // Verifying recomputes under the stored setting: with equal hashes above, done here where it is cheap.
            Assert.All(keys.Zip(alone), pair => Assert.True(BCryptNet.Verify(pair.First, pair.Second)));
            Assert.All(keys.Zip(reference), pair => Assert.True(Verifies(pair.First, pair.Second)));
            // The wrong key differs at its first byte: past 72 bytes bcrypt itself reads nothing.
            Assert.All(keys.Zip(alone), pair => Assert.False(BCryptNet.Verify("!" + pair.First, pair.Second)));
            Assert.All(keys.Zip(reference), pair => Assert.False(Verifies("!" + pair.First, pair.Second)));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Keys_computed_in_step_each_get_the_hash_they_get_alone(int count)
    {
        var keys = Corpus.Take(count).ToArray();
        var settings = keys.Select(_ => NewSetting(4)).ToArray();

        Assert.Equal(keys.Select((key, i) => BCryptNet.HashPassword(key, settings[i].Text)), InterleavedBcrypt.Hash(keys, settings));
    }

    [Fact]
    public void Keys_of_different_costs_share_the_lanes_each_getting_the_hash_it_gets_alone()
    {
        var keys = Corpus.Take(7).ToArray();
        var settings = keys.Select((_, i) => NewSetting(4 + (i % 3))).ToArray();

        Assert.Equal(keys.Select((key, i) => BCryptNet.HashPassword(key, settings[i].Text)), InterleavedBcrypt.Hash(keys, settings));
    }

    [Fact]
    public void A_key_that_joins_lanes_halfway_through_others_gets_its_hash_and_leaves_when_its_own_rounds_end()
    {
        using var lanes = new BcryptLanes(InterleavedBcrypt.MaxLanes);
        var finished = new List<(object Tag, string Hash)>();
        var first = NewSetting(6);
        lanes.Add(Corpus[0], first, "first");
        for (var round = 0; round < 10; round++)
        {
            lanes.Step(finished);
        }

        var (second, third) = (NewSetting(4), NewSetting(5));
        lanes.Add(Corpus[1], second, "second");
        lanes.Add(Corpus[2], third, "third");
        var steps = 0;
        while (lanes.Count > 0)
        {
            lanes.Step(finished);
            steps++;
        }

        // 2^4 and 2^5 rounds after they joined; the first's 2^6 began ten rounds earlier.
        Assert.Equal(["second", "third", "first"], finished.Select(done => (string)done.Tag));
        Assert.Equal(64 - 10, steps);
        Assert.Equal(
            [BCryptNet.HashPassword(Corpus[1], second.Text), BCryptNet.HashPassword(Corpus[2], third.Text), BCryptNet.HashPassword(Corpus[0], first.Text)],
            finished.Select(done => done.Hash));
    }

    [Fact]
    public void A_refused_key_takes_no_lane_and_a_full_set_of_lanes_takes_no_more()
    {
        using var lanes = new BcryptLanes(2);
        lanes.Add("one", NewSetting(4), 1);

        Assert.Throws<ArgumentException>(() => lanes.Add("before\0after", NewSetting(4), 2));
        Assert.Equal(1, lanes.Count);
        lanes.Add("two", NewSetting(4), 2);
        Assert.Throws<InvalidOperationException>(() => lanes.Add("three", NewSetting(4), 3));
    }

    [Fact]
    public void A_key_the_reference_would_read_otherwise_than_C_is_refused()
    {
        Assert.Throws<ArgumentException>(() => InterleavedBcrypt.Hash("before\0after", NewSetting(4)));
        Assert.ThrowsAny<ArgumentException>(() => InterleavedBcrypt.Hash("lone \ud83d surrogate", NewSetting(4)));
        Assert.ThrowsAny<ArgumentException>(() => BCryptNet.HashPassword("lone \ud83d surrogate", NewSetting(4).Text));
    }

    [Theory]
    [InlineData("$2y$")]
    [InlineData("$2x$")]
    [InlineData("$2a$")]
    [InlineData("$2b$")]
    public void Every_variant_letter_computes_the_reference_hash_and_keeps_its_letter(string prefix)
    {
        var setting = Parse(prefix + NewSetting(4).Text[4..]);

        var hash = InterleavedBcrypt.Hash(Corpus[0], setting);

        Assert.Equal(BCryptNet.HashPassword(Corpus[0], setting.Text), hash);
        Assert.StartsWith(prefix, hash, StringComparison.Ordinal);
    }

    [Fact]
    public void A_salt_with_padding_bits_set_is_read_as_the_reference_reads_it()
    {
        var canonical = NewSetting(4).Text;
        // The 22nd character holds 2 bits of salt and 4 of padding (0 in a canonical one): + 1 sets one, same salt.
        const string alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var padded = canonical[..28] + alphabet[alphabet.IndexOf(canonical[28], StringComparison.Ordinal) + 1];

        var setting = Parse(padded);

        Assert.Equal(canonical, setting.Text);
        Assert.Equal(BCryptNet.HashPassword("key", padded), InterleavedBcrypt.Hash("key", setting));
    }

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

    private static bool Verifies(string key, string hash) => InterleavedBcrypt.Hash(key, Parse(hash)) == hash;

    private static BcryptSetting Parse(string text) =>
        BcryptSetting.TryParse(text, out var setting) ? setting : throw new InvalidOperationException(text);

    private static BcryptSetting NewSetting(int cost) => BcryptSetting.Create(cost, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes));
}
