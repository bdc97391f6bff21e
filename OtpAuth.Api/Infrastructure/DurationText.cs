using System.Globalization;

namespace OtpAuth.Api.Infrastructure;

public static class DurationText
{
    /// <summary>
    /// Words for a wait or a lifetime: whole minutes as minutes ("2 minutes", "1 minute"), under two minutes as
    /// seconds ("90 seconds"), anything longer as minutes rounded up ("60 minutes" for 3589 s).
    /// </summary>
    public static string Describe(TimeSpan duration)
    {
        var seconds = (int)Math.Ceiling(duration.TotalSeconds);
        return seconds % 60 == 0 && seconds >= 60 ? Plural(seconds / 60, "minute")
            : seconds < 120 ? Plural(seconds, "second")
            : Plural((seconds + 59) / 60, "minute");

        static string Plural(int n, string unit) =>
            string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")}");
    }
}
