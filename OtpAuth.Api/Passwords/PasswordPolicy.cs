using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Passwords;

/// <summary>
/// What a new password must be (OWASP ASVS 5.0 §6.2, NIST SP 800-63B-4 §3.1.1.2): long enough
/// (<c>Password:MinLength</c>) and not among the guessable ones by zxcvbn's estimate over its frequency lists of leaked
/// passwords, names and words, with the person's own address counted as guessable. No composition rules: any
/// characters, any mix. The reason names what to change.
/// </summary>
public sealed class PasswordPolicy(IOptions<PasswordOptions> options)
{
    /// <summary>UTF-16 units of the password that the estimate looks at.</summary>
    public const int MaxEstimatedLength = 48;

    /// <summary>
    /// One estimator for the process, as zxcvbn's own documentation advises: its word lists load once, on first use, and
    /// are only read afterwards. Its dictionary and l33t matchers are ours (<see cref="Strength.StrengthMatchers"/>):
    /// the same verdicts and entropies as zxcvbn-core's, without the substring per candidate that made the estimate cost as
    /// much as a cost-4 bcrypt.
    /// </summary>
    private static readonly Zxcvbn.Zxcvbn Estimator = new(new Strength.StrengthMatchers());

    private static readonly string[] DictionaryNames = ["passwords", "english", "male_names", "female_names", "surnames", "us_tv_and_film"];

    /// <summary>Null when <paramref name="password"/> (normalized) is acceptable for a new account, else the reason.</summary>
    public string? Validate(string? password, string? email)
    {
        var rules = options.Value;
        var lengthError = PasswordRules.Validate(password, rules.MinLength);
        if (lengthError is not null || rules.MinGuessBits == 0)
        {
            return lengthError;
        }

        // A few milliseconds of CPU over at most MaxEstimatedLength characters: inline, not behind the bcrypt gate, where it
        // made every registration wait for a bcrypt slot twice.
        return Explain(PasswordRules.Normalize(password!), email, rules.MinGuessBits);
    }

    /// <summary>zxcvbn's verdict in words, or null when the password takes at least 2^<paramref name="minBits"/> guesses.</summary>
    public static string? Explain(string password, string? email, int minBits)
    {
        // zxcvbn's matching grows faster than linearly (~200 ms of CPU for 128 emoji); the guessable passwords it exists to
        // catch are short, and a prefix that is already hard to guess makes the whole password so.
        var estimated = password.Length > MaxEstimatedLength ? password[..MaxEstimatedLength] : password;
        var result = Estimate(estimated, email);
        if (result.Entropy >= minBits)
        {
            return null;
        }

        var matches = result.MatchSequence;
        var longest = matches.OrderByDescending(m => m.Token.Length).FirstOrDefault();
        var pattern = longest?.Pattern ?? "";
        var dictionary = (longest as Zxcvbn.Matcher.DictionaryMatch)?.DictionaryName ?? "";
        var mostOfIt = longest is not null && longest.Token.Length * 2 >= estimated.Length;
        return (pattern, dictionary) switch
        {
            ("dictionary", "passwords") when mostOfIt =>
                "This is one of the most common passwords, or close to one. Choose another: a few unrelated words make a strong one.",
            ("dictionary", "user_inputs") => "The password must not contain your email address. Choose something else.",
            ("dictionary", _) when DictionaryNames.Contains(dictionary) => "Common words and names are easy to guess. Add more unrelated words, or make it longer.",
            ("repeat", _) => "Repeated characters like \"aaaa\" or \"abcabc\" are easy to guess. Use a few unrelated words instead.",
            ("sequence", _) => "Sequences like \"abcd\" or \"1234\" are easy to guess. Use a few unrelated words instead.",
            ("spatial", _) => "Keyboard patterns like \"qwerty\" are easy to guess. Use a few unrelated words instead.",
            ("date", _) or ("year", _) => "Dates and years are easy to guess. Use a few unrelated words instead.",
            _ => "This password is too easy to guess. Make it longer, for example with a few unrelated words.",
        };
    }

    /// <summary>zxcvbn's estimate for <paramref name="password"/>, the person's address and its parts counted as guessable.</summary>
    public static Zxcvbn.Result Estimate(string password, string? email) => Estimator.EvaluatePassword(password, UserInputs(email));

    /// <summary>What the estimate counts as the person's own words: the address, its local part and that part's pieces.</summary>
    public static string[] UserInputs(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return [];
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        var local = at > 0 ? email[..at] : email;
        return [email, local, .. local.Split('.', '_', '-', '+').Where(p => p.Length >= 3)];
    }
}
