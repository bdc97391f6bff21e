namespace OtpAuth.Bcrypt;

/// <summary>
/// bcrypt's own base64: the alphabet "./A–Za–z0–9", no padding. A salt is 16 bytes in 22 characters, a hash 23 bytes
/// in 31 (bcrypt drops the last byte of its 24-byte output).
/// </summary>
internal static class BcryptRadix64
{
    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The characters for <paramref name="bytes"/>: four for each three bytes, two or three for a remainder.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        Span<char> text = stackalloc char[((bytes.Length * 8) + 5) / 6];
        var written = 0;
        for (var i = 0; i < bytes.Length; i += 3)
        {
            var remaining = Math.Min(3, bytes.Length - i);
            var chunk = bytes[i] << 16 | (remaining > 1 ? bytes[i + 1] << 8 : 0) | (remaining > 2 ? bytes[i + 2] : 0);
            for (var c = 0; c <= remaining; c++)
            {
                text[written++] = Alphabet[(chunk >> (18 - (6 * c))) & 0x3F];
            }
        }

        return new string(text[..written]);
    }

    /// <summary>Fills <paramref name="bytes"/> from <paramref name="text"/>; false when a character is not of the alphabet or the text is too short.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        if (text.Length < ((bytes.Length * 8) + 5) / 6)
        {
            return false;
        }

        var bits = 0;
        var buffered = 0;
        var written = 0;
        foreach (var character in text)
        {
            var value = Alphabet.IndexOf(character);
            if (value < 0)
            {
                return false;
            }

            buffered = ((buffered << 6) | value) & 0xFFFF; // at most 13 bits are ever pending
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)(buffered >> bits);
                if (written == bytes.Length)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
