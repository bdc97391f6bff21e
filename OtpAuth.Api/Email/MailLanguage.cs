using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace OtpAuth.Api.Email;

/// <summary>The languages mails are written in; a person's is taken from <c>Accept-Language</c> when they register and kept on the account.</summary>
public static class MailLanguage
{
    public const string Default = "en";

    public const int MaxLength = 8;

    public static readonly IReadOnlyList<string> Supported = ["en", "de", "fr"];

    /// <summary>The client's most preferred supported language (by q-value, then order; "de-CH" counts as "de"), else English.</summary>
    public static string FromRequest(HttpRequest request)
    {
        var preferences = request.GetTypedHeaders().AcceptLanguage;
        return preferences
            .Where(p => (p.Quality ?? 1) > 0)
            .OrderByDescending(p => p.Quality ?? 1)
            .Select(p => Of(p.Value.Value))
            .FirstOrDefault(language => language is not null) ?? Default;
    }

    /// <summary>A stored value as a supported language (an older row or an edited one falls back to English).</summary>
    public static string Normalize(string? stored) => Of(stored) ?? Default;

    public static CultureInfo Culture(string language) => CultureInfo.GetCultureInfo(Normalize(language));

    private static string? Of(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        var primary = tag.Split('-', 2)[0].Trim().ToLowerInvariant();
        return Supported.Contains(primary) ? primary : null;
    }
}
