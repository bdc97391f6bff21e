using System.Text;

namespace OtpAuth.Api.Passwords;

/// <summary>
/// What a password must look like (docs/api.md, "Input rules"): NFC-normalized, 8 (or <c>Password:MinLength</c>) to 128 characters counted as Unicode code points,
/// so "é" typed precomposed or as e + combining accent is the same password of the same length.
/// </summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    /// <summary>The form that is hashed and compared.</summary>
    /// <remarks>Input arrives through System.Text.Json, which refuses lone surrogates, so the text is always normalizable.</remarks>
    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormC);

    /// <summary>
    /// Null when the password's length is acceptable for a new account with this minimum (<c>Password:MinLength</c>,
    /// as <see cref="PasswordPolicy"/> passes it), else a message for the person.
    /// </summary>
    public static string? Validate(string? password, int minLength)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "Password is required.";
        }

        var length = CountCodePoints(Normalize(password));
        return length switch
        {
            _ when length < minLength => $"Password must be at least {minLength} characters long.",
            > MaxLength => $"Password must be at most {MaxLength} characters long.",
            _ => null,
        };
    }

    public static int CountCodePoints(string text) => text.EnumerateRunes().Count();
}
