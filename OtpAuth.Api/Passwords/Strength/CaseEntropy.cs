using System.Text.RegularExpressions;

namespace OtpAuth.Api.Passwords.Strength;

/// <summary>
/// The bits zxcvbn-core adds for the capitals in a matched word, and its binomial coefficient, computed exactly as it
/// computes them (its own are internal): the same patterns and the same arithmetic, so every match's entropy is the same
/// double as the stock estimator's.
/// </summary>
internal static partial class CaseEntropy
{
    public static double Of(string word)
    {
        if (AllLower().IsMatch(word))
        {
            return 0;
        }

        if (StartUpper().IsMatch(word) || EndUpper().IsMatch(word) || AllUpper().IsMatch(word))
        {
            return 1;
        }

        int lowers = 0, uppers = 0;
        foreach (var c in word)
        {
            lowers += c is >= 'a' and <= 'z' ? 1 : 0;
            uppers += c is >= 'A' and <= 'Z' ? 1 : 0;
        }

        long ways = 0;
        for (var i = 0; i <= Math.Min(uppers, lowers); i++)
        {
            ways += Binomial(uppers + lowers, i);
        }

        return Math.Log(ways, 2);
    }

    public static long Binomial(int n, int k)
    {
        if (k > n)
        {
            return 0;
        }

        long r = 1;
        for (var d = 1; d <= k; ++d)
        {
            r *= n;
            r /= d;
            n--;
        }

        return r;
    }

    [GeneratedRegex("^[^A-Z]+$")]
    private static partial Regex AllLower();

    [GeneratedRegex("^[A-Z][^A-Z]+$")]
    private static partial Regex StartUpper();

    [GeneratedRegex("^[^A-Z]+[A-Z]$")]
    private static partial Regex EndUpper();

    [GeneratedRegex("^[^a-z]+$")]
    private static partial Regex AllUpper();
}
