using Zxcvbn;
using Zxcvbn.Matcher;

namespace OtpAuth.Api.Passwords.Strength;

/// <summary>
/// zxcvbn-core's l33t matcher ("p4ssw0rd" for "password") over a <see cref="WordListMatcher"/>, with its substitution
/// table, its enumeration of substitution maps, its entropy and its match order, so that the estimate is the stock one.
/// It differs in what it skips: a password with none of the substitutable characters has no l33t match, and within a
/// map only ranges that cover a substituted character can give one, so only those are looked up.
/// </summary>
internal sealed class L33tWordListMatcher(WordListMatcher dictionaries) : IMatcher
{
    /// <summary>zxcvbn-core's table, in its order: a letter and the characters that stand for it.</summary>
    private static readonly (char Letter, string StandIns)[] Table =
    [
        ('a', "4@"), ('b', "8"), ('c', "({[<"), ('e', "3"), ('g', "69"), ('i', "1!|"),
        ('l', "1|7"), ('o', "0"), ('s', "$5"), ('t', "+7"), ('x', "%"), ('z', "2"),
    ];

    public IEnumerable<Match> MatchPassword(string password)
    {
        var matches = new List<Match>();
        foreach (var map in SubstitutionMaps(password))
        {
            if (map.Count == 0)
            {
                continue; // nothing substituted: every match would be dropped for using no substitution
            }

            var translated = string.Create(password.Length, (password, map), static (chars, state) =>
            {
                for (var k = 0; k < chars.Length; k++)
                {
                    var c = state.password[k];
                    chars[k] = state.map.TryGetValue(c, out var letter) ? letter : c;
                }
            });
            var nextSubstituted = NextSubstitutedPositions(password, map);
            foreach (var match in dictionaries.Matches(translated, i => nextSubstituted[i]))
            {
                matches.Add(L33tMatch(password, match, map));
            }
        }

        return matches;
    }

    /// <summary>
    /// The maps from stand-in to letter that zxcvbn-core tries, in its order: one map with every stand-in the password
    /// holds, and a copy for each further letter a stand-in could mean ('1' for 'i' or 'l').
    /// </summary>
    private static List<Dictionary<char, char>> SubstitutionMaps(string password)
    {
        var maps = new List<Dictionary<char, char>> { new() };
        foreach (var (letter, standIns) in Table)
        {
            foreach (var standIn in standIns)
            {
                if (!password.Contains(standIn, StringComparison.Ordinal))
                {
                    continue;
                }

                var added = new List<Dictionary<char, char>>();
                foreach (var map in maps)
                {
                    if (map.ContainsKey(standIn))
                    {
                        added.Add(new Dictionary<char, char>(map) { [standIn] = letter });
                    }
                    else
                    {
                        map[standIn] = letter;
                    }
                }

                maps.AddRange(added);
            }
        }

        return maps;
    }

    /// <summary>For each start, the first position at or after it holding a substituted character (or the length).</summary>
    private static int[] NextSubstitutedPositions(string password, Dictionary<char, char> map)
    {
        var next = new int[password.Length + 1];
        next[password.Length] = password.Length;
        for (var k = password.Length - 1; k >= 0; k--)
        {
            next[k] = map.ContainsKey(password[k]) ? k : next[k + 1];
        }

        return next;
    }

    private static L33tDictionaryMatch L33tMatch(string password, DictionaryMatch translated, Dictionary<char, char> map)
    {
        var token = password.Substring(translated.i, translated.j - translated.i + 1);
        var match = new L33tDictionaryMatch(translated)
        {
            Token = token,
            Subs = map.Where(sub => token.Contains(sub.Key, StringComparison.Ordinal)).ToDictionary(sub => sub.Key, sub => sub.Value),
        };

        var possibilities = 0;
        foreach (var (standIn, letter) in match.Subs)
        {
            int subbed = 0, unsubbed = 0;
            foreach (var c in token)
            {
                subbed += c == standIn ? 1 : 0;
                unsubbed += c == letter ? 1 : 0;
            }

            for (var k = 0; k <= Math.Min(subbed, unsubbed); k++)
            {
                possibilities += (int)CaseEntropy.Binomial(subbed + unsubbed, k);
            }
        }

        // The same steps in the same order as zxcvbn-core, so the double comes out the same: its l33t bits (at least one),
        // then the capitals' bits recounted on the password's own characters instead of the translated ones.
        var entropy = Math.Log(possibilities, 2);
        match.L33tEntropy = entropy < 1 ? 1 : entropy;
        match.Entropy += match.L33tEntropy;
        match.Entropy -= match.UppercaseEntropy;
        match.UppercaseEntropy = CaseEntropy.Of(token);
        match.Entropy += match.UppercaseEntropy;
        return match;
    }
}
