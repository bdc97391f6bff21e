using System.Globalization;
using System.Text;
using MimeKit;

namespace OtpAuth.Api.Auth;

/// <summary>
/// The one form of an email address the service accepts, stores and keys everything on: a plain
/// <c>local@domain</c>, trimmed, NFC-normalized and lower-cased, with the domain in its IDNA (punycode) form, so one
/// mailbox has one spelling. Display names, comments, quoted local parts, angle brackets, lists and routes are refused:
/// each of them lets one mailbox pose as many addresses, and the mail library reads them differently from a plain
/// address. Whatever passes is also exactly what MimeKit parses it as.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254;
    private const int MaxLocalLength = 64;
    private const int MaxLabelLength = 63;

    /// <summary>ASCII characters a dot-atom local part may hold (RFC 5322 atext), besides letters and digits.</summary>
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>The normalized address, or null with a message for the person when it is not an acceptable address.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "Email is required.";
            return null;
        }

        var email = input.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        error = at < 0 || at != email.LastIndexOf('@') ? "Email must contain exactly one @."
            : at == 0 ? "Email needs a name before the @."
            : ValidateLocal(email[..at]);
        if (error is not null)
        {
            return null;
        }

        var domain = ToAsciiDomain(email[(at + 1)..], out error);
        if (domain is null)
        {
            return null;
        }

        var normalized = $"{email[..at]}@{domain}";
        if (normalized.Length > MaxLength)
        {
            error = $"Email must be at most {MaxLength} characters long.";
            return null;
        }

        // The mail library must read it as this one mailbox and nothing else.
        if (!MailboxAddress.TryParse(ParserOptions.Default, normalized, out var parsed) || parsed.GetAddress(idnEncode: true) != normalized || !string.IsNullOrEmpty(parsed.Name))
        {
            error = "Email must be a plain address such as ada@example.com.";
            return null;
        }

        return normalized;
    }

    private static string? ValidateLocal(string local)
    {
        if (local.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "Email must not contain spaces or control characters.";
        }

        if (local.Length > MaxLocalLength)
        {
            return $"The part before the @ must be at most {MaxLocalLength} characters long.";
        }

        // A dot-atom: letters and digits (any script), the RFC 5322 symbols, and single dots between them. No quotes,
        // comments, angle brackets, commas or backslashes: those are display names, comments and lists, not mailboxes.
        return !local.All(c => c == '.' || IsAtext(c)) ? "Email must be a plain address such as ada@example.com: no names, quotes, brackets, commas or comments."
            : local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal) ? "Dots in an email address go between other characters, one at a time."
            : null;
    }

    /// <summary>
    /// ASCII letters, digits and the RFC 5322 symbols; beyond ASCII (RFC 6531), letters, digits and combining marks of
    /// any script, but no punctuation or symbols, whose look-alikes (a full-width @ or &lt;) would only confuse.
    /// </summary>
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || AtextSymbols.Contains(c)
        || (c > 0x7F && (char.IsLetterOrDigit(c) || char.IsSurrogate(c)
            || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark));

    /// <summary>The domain in its ASCII (punycode) form, each label checked, or null with the reason.</summary>
    private static string? ToAsciiDomain(string domain, out string? error)
    {
        const string needsDot = "Email needs a domain with a dot after the @, such as example.com.";
        error = null;
        if (domain.Length == 0 || domain.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = domain.Length == 0 ? needsDot : "Email must not contain spaces or control characters.";
            return null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal)
                ? "The domain of the email is not a valid domain name."
                : needsDot;
            return null;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2 || labels.Any(label => label.Length == 0))
        {
            error = needsDot;
            return null;
        }

        if (labels.Any(label => label.Length > MaxLabelLength || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            error = "The domain of the email is not a valid domain name.";
            return null;
        }

        return ascii;
    }
}
