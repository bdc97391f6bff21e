using Zxcvbn;
using Zxcvbn.Matcher;

namespace OtpAuth.Api.Passwords.Strength;

/// <summary>
/// The matchers zxcvbn-core's default factory gives, in its order, with its dictionary and l33t matchers replaced by
/// <see cref="WordListMatcher"/> and <see cref="L33tWordListMatcher"/>: the same matches and entropies at a fraction of
/// the cost (<c>StrengthMatchersTests</c> compares them with the stock estimator on a corpus; the figures are in
/// docs/benchmarks.md). The word lists load on the first estimate, not at start (see <see cref="PasswordWarmUp"/>).
/// </summary>
internal sealed class StrengthMatchers : IMatcherFactory
{
    private readonly Lazy<IMatcher[]> shared = new(Build);

    public IEnumerable<IMatcher> CreateMatchers(IEnumerable<string> userInputs)
    {
        var userWords = new WordListMatcher(WordLists.FromUserInputs(userInputs));
        return [.. shared.Value, userWords, new L33tWordListMatcher(userWords)];
    }

    private static IMatcher[] Build()
    {
        var dictionaries = new WordListMatcher(WordLists.BuiltIn());
        return
        [
            new Listed(new RepeatMatcher()),
            new Listed(new SequenceMatcher()),
            new Listed(new RegexMatcher("\\d{3,}", 10, true, "digits")),
            new Listed(new RegexMatcher("19\\d\\d|200\\d|201\\d", 119, false, "year")),
            new Listed(new DateMatcher()),
            new Listed(new SpatialMatcher()),
            dictionaries,
            new L33tWordListMatcher(dictionaries),
        ];
    }

    /// <summary>
    /// A stock matcher whose matches are listed once. zxcvbn-core's estimator walks the union of all matchers' results
    /// once per character of the password, and its repeat matcher answers with a deferred query, so it ran again on
    /// every walk (a third of an estimate's time). Listing its matches gives the same matches once.
    /// </summary>
    private sealed class Listed(IMatcher matcher) : IMatcher
    {
        public IEnumerable<Match> MatchPassword(string password) => [.. matcher.MatchPassword(password)];
    }
}
