using Zxcvbn;
using Zxcvbn.Matcher;

namespace OtpAuth.Api.Passwords.Strength;

/// <summary>
/// zxcvbn's dictionary matchers over <see cref="WordLists"/>: every substring of the password found in a list, with its
/// entropy, in zxcvbn-core's order (list by list, and within a list by start, then by end), which is what its estimator
/// sees from one stock matcher per list. zxcvbn-core's own allocate each of the password's n(n+1)/2 substrings and look
/// it up in each list separately, for the plain pass and again for the l33t one, which made the estimate cost as much as
/// a cost-4 bcrypt (docs/benchmarks.md); this looks each substring up once for all lists, as a span, and none longer
/// than the longest word.
/// </summary>
internal sealed class WordListMatcher(WordLists lists) : IMatcher
{
    public IEnumerable<Match> MatchPassword(string password) => Matches(password, firstEndFrom: null);

    /// <summary>
    /// The matches in <paramref name="text"/>, as zxcvbn-core's matchers give them. A match starting at <c>i</c> is only
    /// looked for from the end <paramref name="firstEndFrom"/>(i) on: the l33t matcher keeps only matches that cover a
    /// substituted character, so it need not look up the rest.
    /// </summary>
    internal List<DictionaryMatch> Matches(string text, Func<int, int>? firstEndFrom)
    {
        var lowered = Lowercase(text);
        var byList = new List<DictionaryMatch>?[lists.Names.Count];
        for (var i = 0; i < lowered.Length; i++)
        {
            var lastEnd = Math.Min(lowered.Length, i + lists.LongestWord) - 1;
            for (var j = firstEndFrom?.Invoke(i) ?? i; j <= lastEnd; j++)
            {
                var ranks = lists.RanksOf(lowered.AsSpan(i, j - i + 1));
                for (var list = 0; list < ranks.Length; list++)
                {
                    if (ranks[list] != 0)
                    {
                        (byList[list] ??= []).Add(Match(text, lowered, i, j, list, ranks[list]));
                    }
                }
            }
        }

        return [.. byList.Where(matches => matches is not null).SelectMany(matches => matches!)];
    }

    /// <summary>zxcvbn-core lowercases with the current culture (a per-character mapping, so indices stay put).</summary>
#pragma warning disable CA1304, CA1311 // the stock estimator's own casing, on purpose
    private static string Lowercase(string text) => text.ToLower();
#pragma warning restore CA1304, CA1311

    private DictionaryMatch Match(string text, string lowered, int i, int j, int list, int rank)
    {
        var token = text.Substring(i, j - i + 1);
        var match = new DictionaryMatch
        {
            Pattern = "dictionary",
            i = i,
            j = j,
            Token = token,
            MatchedWord = lowered.Substring(i, j - i + 1),
            Rank = rank,
            DictionaryName = lists.Names[list],
            Cardinality = lists.Counts[list],
            BaseEntropy = Math.Log(rank, 2),
            UppercaseEntropy = CaseEntropy.Of(token),
        };
        match.Entropy = match.BaseEntropy + match.UppercaseEntropy;
        return match;
    }
}
