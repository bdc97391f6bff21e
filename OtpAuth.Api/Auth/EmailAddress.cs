using System.Text;

namespace OtpAuth.Api.Auth;

/// <summary>
/// The one form of an email address the service uses, stores and keys everything on (DESIGN.md §3): trimmed,
/// NFC-normalized and lower-cased with the invariant culture. "  Bob@Example.COM " and "bob@example.com" are one account.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>The normalized address, or null with a message for the person when it is not an acceptable address.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "Email is required.";
            return null;
        }

        var email = input.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
        error = Validate(email);
        return error is null ? email : null;
    }

    private static string? Validate(string email)
    {
        if (email.Length > MaxLength)
        {
            return $"Email must be at most {MaxLength} characters long.";
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at < 0 || at != email.LastIndexOf('@'))
        {
            return "Email must contain exactly one @.";
        }

        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        if (local.IsEmpty)
        {
            return "Email needs a name before the @.";
        }

        var dot = domain.IndexOf('.');
        if (dot <= 0 || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal))
        {
            return "Email needs a domain with a dot after the @, such as example.com.";
        }

        foreach (var c in email)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "Email must not contain spaces or control characters.";
            }
        }

        return null;
    }
}
