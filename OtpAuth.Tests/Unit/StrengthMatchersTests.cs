using OtpAuth.Api.Passwords.Strength;
using Zxcvbn.Matcher;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// Our dictionary and l33t matchers replace zxcvbn-core's for speed only: on a corpus of common, l33t, mixed-case,
/// Unicode, long and random passwords, with and without the person's address as input, they must give the stock
/// matchers' matches in the stock order, and the estimator the stock entropy and match sequence, to the last bit.
/// </summary>
public sealed class StrengthMatchersTests
{
    private static readonly string[] BuiltInLists = ["passwords", "english", "male_names", "female_names", "surnames", "us_tv_and_film"];

    private static readonly string[] Emails = ["ada.lovelace@example.com", "j_smith-99+otp@mail.example.org", "x@y.z"];

    [Fact]
    public void The_word_list_matcher_finds_what_zxcvbn_cores_six_find_in_the_same_order()
    {
        var ours = new WordListMatcher(WordLists.BuiltIn());
        var stock = BuiltInLists.Select(name => new DictionaryMatcher(name, name + ".lst")).ToArray();

        foreach (var password in CorpusPasswords())
        {
            AssertSameMatches(password, stock.SelectMany(matcher => matcher.MatchPassword(password)), ours.MatchPassword(password));
        }
    }

    [Fact]
    public void The_l33t_matcher_finds_what_zxcvbn_cores_finds_in_the_same_order()
    {
        var ours = new L33tWordListMatcher(new WordListMatcher(WordLists.BuiltIn()));
        var stock = new L33tMatcher([.. BuiltInLists.Select(name => new DictionaryMatcher(name, name + ".lst"))]);
        var l33tFound = 0;

        foreach (var password in CorpusPasswords())
        {
            var expected = stock.MatchPassword(password).ToList();
            l33tFound += expected.Count;
            AssertSameMatches(password, expected, ours.MatchPassword(password));
        }

        Assert.True(l33tFound > 100, $"the corpus must exercise l33t matches; it gave {l33tFound}");
    }

    [Fact]
    public void The_estimate_is_zxcvbn_cores_to_the_last_bit_with_the_persons_address_as_input()
    {
        var stock = new Zxcvbn.Zxcvbn();
        var ours = new Zxcvbn.Zxcvbn(new StrengthMatchers());
        var userInputFound = false;

        foreach (var password in CorpusPasswords())
        {
            foreach (var email in Emails)
            {
                var local = email[..email.IndexOf('@', StringComparison.Ordinal)];
                string[] inputs = [email, local, .. local.Split('.', '_', '-', '+').Where(p => p.Length >= 3)];
                var expected = stock.EvaluatePassword(password, inputs);
                var actual = ours.EvaluatePassword(password, inputs);

                Assert.True(expected.Entropy == actual.Entropy, $"'{password}' with {email}: {expected.Entropy} != {actual.Entropy}");
                Assert.Equal(expected.Score, actual.Score);
                AssertSameMatches(password, expected.MatchSequence, actual.MatchSequence);
                userInputFound |= expected.MatchSequence.OfType<DictionaryMatch>().Any(m => m.DictionaryName == "user_inputs");
            }
        }

        Assert.True(userInputFound, "the corpus must exercise the person's own inputs");
    }

    private static void AssertSameMatches(string password, IEnumerable<Zxcvbn.Match> expected, IEnumerable<Zxcvbn.Match> actual)
    {
        var e = expected.Select(Describe).ToList();
        var a = actual.Select(Describe).ToList();
        Assert.True(e.SequenceEqual(a), $"'{password}':\nzxcvbn-core: {string.Join(" | ", e)}\nours:        {string.Join(" | ", a)}");
    }

    /// <summary>Every field of a match, the entropy as its exact bits.</summary>
    private static string Describe(Zxcvbn.Match match)
    {
        var text = FormattableString.Invariant(
            $"{match.GetType().Name} {match.Pattern} {match.i}-{match.j} '{match.Token}' {match.Cardinality} {BitConverter.DoubleToInt64Bits(match.Entropy):x}");
        if (match is DictionaryMatch word)
        {
            text += FormattableString.Invariant(
                $" {word.DictionaryName} '{word.MatchedWord}' #{word.Rank} {BitConverter.DoubleToInt64Bits(word.BaseEntropy):x} {BitConverter.DoubleToInt64Bits(word.UppercaseEntropy):x}");
        }

        if (match is L33tDictionaryMatch l33t)
        {
            text += FormattableString.Invariant(
                $" {BitConverter.DoubleToInt64Bits(l33t.L33tEntropy):x} [{string.Join(",", l33t.Subs.Select(s => $"{s.Key}>{s.Value}"))}]");
        }

        return text;
    }

    private static IEnumerable<string> CorpusPasswords()
    {
        string[] chosen =
        [
            "password", "Password1", "p4ssw0rd", "P@$$w0rd!", "passw0rd123", "1ll1n01s", "|1ke", "!|1|!7|1", "$0n1c",
            "c0rr3ct h0rs3 b4tt3ry st4pl3", "correct horse battery staple", "CorrectHorseBatteryStaple", "tr0ub4dor&3",
            "qwerty", "qwertyuiop", "zxcvbnm,./", "1qaz2wsx", "aaaaaaaaaa", "abcabcabc", "abcdefghij", "9876543210",
            "01/02/1985", "19850201", "2009", "jennifer1", "Jennifer", "JENNIFER", "jeNNifer", "michael2001",
            "ada.lovelace1", "AdaLovelace", "4d4l0v3l4c3", "lovelace@example.com", "j_smith-99", "smith99", "sm1th",
            "café au lait", "caf\u00e9", "CAF\u00c9", "ĞüŞİÖÇ istanbul", "İstanbul", "пароль123", "密码password", "🔑🔑🔑🔑 key",
            "\u00e9t\u00e9", "ǅemal", "ﬀoo", "tab\tnewline\nend\n", "   ", "a", "A", "4", "@",
            "violet tractor lagoon " + new string('a', 26), new string('x', 48), "7r4ct0r$ & l4g00n$ 4r3 gr34t!!",
            "Tr0ub4dour&3Tr0ub4dour&3Tr0ub4dour&3Tr0ub4dour&", "{[(<c>)]}", "%x%x%x", "2z2z2z", "gg66gg99",
        ];
        foreach (var password in chosen)
        {
            yield return password;
        }

        // Seeded random strings over letters of both cases, digits, every l33t stand-in and a few others.
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 4@8({[<369!|17$5+%2éß€";
        var random = new Random(12);
        for (var n = 0; n < 150; n++)
        {
            var length = random.Next(1, 49);
            yield return string.Create(length, random, static (chars, r) =>
            {
                for (var k = 0; k < chars.Length; k++)
                {
                    chars[k] = alphabet[r.Next(alphabet.Length)];
                }
            });
        }

        // Words from the lists themselves, plain, capitalised and with a stand-in, and run together.
        string[] words = ["monkey", "dragon", "sunshine", "football", "princess", "shadow", "baseball", "superman", "letmein", "trustno1"];
        for (var k = 0; k < words.Length; k++)
        {
            var word = words[k];
            yield return word;
            yield return char.ToUpperInvariant(word[0]) + word[1..] + k;
            yield return word.Replace('o', '0').Replace('e', '3').Replace('s', '$').Replace('a', '@').Replace('i', '1');
            yield return word + words[(k + 3) % words.Length] + "!";
        }
    }
}
