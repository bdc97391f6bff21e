namespace OtpAuth.Bcrypt;

/// <summary>
/// The first 29 characters of a bcrypt hash, "$2b$12$" and 22 salt characters: what a hash is computed under. Read from
/// a salt made for a new hash or from a stored hash (whose last 31 characters are then ignored).
/// </summary>
public sealed class BcryptSetting
{
    public const int Length = 29;
    public const int SaltBytes = 16;

    private BcryptSetting(string text, int cost, byte[] salt)
    {
        Text = text;
        Cost = cost;
        Salt = salt;
    }

    /// <summary>"$2b$12$" and the salt's 22 characters, as a hash begins.</summary>
    public string Text { get; }

    /// <summary>The work factor: 2^Cost rounds of the key schedule.</summary>
    public int Cost { get; }

    internal byte[] Salt { get; }

    /// <summary>A new setting of <paramref name="cost"/> with the 16 random bytes of <paramref name="salt"/>.</summary>
    public static BcryptSetting Create(int cost, ReadOnlySpan<byte> salt)
    {
        var text = FormattableString.Invariant($"$2b${cost:00}$") + BcryptRadix64.Encode(salt);
        return TryParse(text, out var setting) ? setting : throw new ArgumentOutOfRangeException(nameof(cost), cost, "bcrypt's cost is 4 to 31.");
    }

    /// <summary>Reads a "$2a$/$2b$/$2x$/$2y$NN$" setting or hash (one algorithm, as BCrypt.Net-Next reads them all); false for anything else, including a cost outside 4–31.</summary>
    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BcryptSetting? setting)
    {
        setting = null;
        if (value is null || value.Length < Length || value[0] != '$' || value[1] != '2' || value[2] is not ('a' or 'b' or 'x' or 'y')
            || value[3] != '$' || !char.IsAsciiDigit(value[4]) || !char.IsAsciiDigit(value[5]) || value[6] != '$')
        {
            return false;
        }

        var cost = ((value[4] - '0') * 10) + (value[5] - '0');
        var salt = new byte[SaltBytes];
        if (cost is < 4 or > 31 || !BcryptRadix64.TryDecode(value.AsSpan(7, 22), salt))
        {
            return false;
        }

        // The salt written back as BCrypt.Net-Next writes it (the 22nd character carries 4 bits of padding), so both agree
        // even on a stored salt whose padding bits are not zero.
        setting = new BcryptSetting(value[..7] + BcryptRadix64.Encode(salt), cost, salt);
        return true;
    }
}
