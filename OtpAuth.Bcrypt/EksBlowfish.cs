using System.Runtime.CompilerServices;
using System.Text;

namespace OtpAuth.Bcrypt;

/// <summary>
/// bcrypt's expensive key setup (eksblowfish) for one, two or four lanes in step. Each lane's state is Blowfish's
/// P-array and S-boxes (<see cref="BlowfishPi"/>'s layout) in native memory (<see cref="BcryptLanes"/>), so the inner
/// loops index without bounds checks.
/// </summary>
internal static unsafe class EksBlowfish
{
    private const int S0 = BlowfishPi.PWords, S1 = S0 + 256, S2 = S1 + 256, S3 = S2 + 256;

    /// <summary>bcrypt reads 72 bytes of its key at most: the UTF-8 bytes and the NUL that ends them, cut at 72.</summary>
    private const int MaxKeyBytes = 72;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A lane's start: Blowfish's initial state, the key's and the salt's words, and bcrypt's first, salted key
    /// expansion (once per hash, not worth interleaving).
    /// </summary>
    internal static void Begin(uint* st, ReadOnlySpan<byte> keyBytes, ReadOnlySpan<byte> salt, uint* keyWords, uint* saltWords)
    {
        BlowfishPi.State.CopyTo(new Span<uint>(st, BlowfishPi.StateWords));
        CycleWords(keyBytes, keyWords);
        CycleWords(salt, saltWords);
        ExpandWithSalt(st, keyWords, saltWords);
    }

    /// <summary>One of bcrypt's 2^cost rounds: an unsalted expansion with the key, then one with the salt.</summary>
    internal static void Round1(uint* state, uint* keyWords, uint* saltWords)
    {
        Expand1(state, keyWords);
        Expand1(state, saltWords);
    }

    /// <summary>As <see cref="Round1"/>, two lanes in step.</summary>
    internal static void Round2(uint* state, uint* keyWords, uint* saltWords)
    {
        Expand2(state, keyWords);
        Expand2(state, saltWords);
    }

    /// <summary>As <see cref="Round1"/>, four lanes in step.</summary>
    internal static void Round4(uint* state, uint* keyWords, uint* saltWords)
    {
        Expand4(state, keyWords);
        Expand4(state, saltWords);
    }

    /// <summary>
    /// The bytes bcrypt cycles through: UTF-8 (a lone surrogate is refused, as BCrypt.Net-Next refuses it) and the NUL
    /// terminator, cut at 72 bytes as <c>$2b$</c> cuts them. A NUL inside the key is refused: C implementations would
    /// stop there and BCrypt.Net-Next would not, so no answer would be the reference's.
    /// </summary>
    internal static byte[] KeyBytes(string key)
    {
        var bytes = new byte[StrictUtf8.GetByteCount(key) + 1];
        StrictUtf8.GetBytes(key, bytes);
        if (Array.IndexOf(bytes, (byte)0) != bytes.Length - 1)
        {
            throw new ArgumentException("A bcrypt key cannot contain NUL.", nameof(key));
        }

        return bytes.Length > MaxKeyBytes ? bytes[..MaxKeyBytes] : bytes;
    }

    /// <summary>18 big-endian words read from <paramref name="bytes"/> over and over, as bcrypt XORs its key into the P-array.</summary>
    private static void CycleWords(ReadOnlySpan<byte> bytes, uint* words)
    {
        var at = 0;
        for (var i = 0; i < BlowfishPi.PWords; i++)
        {
            uint word = 0;
            for (var b = 0; b < 4; b++)
            {
                word = (word << 8) | bytes[at];
                at = (at + 1) % bytes.Length;
            }

            words[i] = word;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint F(uint* st, uint x) =>
        ((st[S0 + (x >> 24)] + st[S1 + ((x >> 16) & 0xFF)]) ^ st[S2 + ((x >> 8) & 0xFF)]) + st[S3 + (x & 0xFF)];

    /// <summary>One Blowfish encryption of the block (<paramref name="l"/>, <paramref name="r"/>) under one lane's state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Encrypt(uint* st, ref uint l, ref uint r)
    {
        uint left = l ^ st[0], right = r;
        for (var i = 1; i < 17; i += 2)
        {
            right ^= F(st, left) ^ st[i];
            left ^= F(st, right) ^ st[i + 1];
        }

        l = right ^ st[17];
        r = left;
    }

    /// <summary>bcrypt's first, salted key expansion.</summary>
    private static void ExpandWithSalt(uint* st, uint* keyWords, uint* saltWords)
    {
        for (var i = 0; i < BlowfishPi.PWords; i++)
        {
            st[i] ^= keyWords[i];
        }

        uint l = 0, r = 0;
        for (var i = 0; i < BlowfishPi.StateWords; i += 2)
        {
            l ^= saltWords[i & 3];
            r ^= saltWords[(i + 1) & 3];
            Encrypt(st, ref l, ref r);
            st[i] = l;
            st[i + 1] = r;
        }
    }

    /// <summary>"OrpheanBeholderScryDoubt" encrypted 64 times: bcrypt's output, the first 23 of its 24 bytes.</summary>
    internal static byte[] Finish(uint* st)
    {
        Span<uint> block = stackalloc uint[6];
        CycleWordsInto("OrpheanBeholderScryDoubt"u8, block);
        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 6; j += 2)
            {
                Encrypt(st, ref block[j], ref block[j + 1]);
            }
        }

        var output = new byte[24];
        for (var i = 0; i < 6; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(4 * i), block[i]);
        }

        return output[..23];
    }

    private static void CycleWordsInto(ReadOnlySpan<byte> bytes, Span<uint> words)
    {
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..]);
        }
    }

    /// <summary>One unsalted key expansion of one lane: XOR the words into the P-array, then re-encrypt the whole state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code: the first hashes are as fast as the rest
    private static void Expand1(uint* a, uint* words)
    {
        for (var i = 0; i < BlowfishPi.PWords; i++)
        {
            a[i] ^= words[i];
        }

        uint la = 0, ra = 0;
        for (var i = 0; i < BlowfishPi.StateWords; i += 2)
        {
            uint xa = la ^ a[0], ya = ra;
            for (var k = 1; k < 17; k += 2)
            {
                ya ^= F(a, xa) ^ a[k];
                xa ^= F(a, ya) ^ a[k + 1];
            }

            la = ya ^ a[17];
            ra = xa;
            a[i] = la;
            a[i + 1] = ra;
        }
    }

    /// <summary>As <see cref="Expand1"/>, two lanes in step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand2(uint* state, uint* words)
    {
        uint* a = state, b = state + BlowfishPi.StateWords;
        for (var i = 0; i < BlowfishPi.PWords; i++)
        {
            a[i] ^= words[i];
            b[i] ^= words[BlowfishPi.PWords + i];
        }

        uint la = 0, ra = 0, lb = 0, rb = 0;
        for (var i = 0; i < BlowfishPi.StateWords; i += 2)
        {
            uint xa = la ^ a[0], ya = ra, xb = lb ^ b[0], yb = rb;
            for (var k = 1; k < 17; k += 2)
            {
                ya ^= F(a, xa) ^ a[k];
                yb ^= F(b, xb) ^ b[k];
                xa ^= F(a, ya) ^ a[k + 1];
                xb ^= F(b, yb) ^ b[k + 1];
            }

            la = ya ^ a[17];
            ra = xa;
            lb = yb ^ b[17];
            rb = xb;
            a[i] = la;
            a[i + 1] = ra;
            b[i] = lb;
            b[i + 1] = rb;
        }
    }

    /// <summary>As <see cref="Expand2"/>, four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand4(uint* state, uint* words)
    {
        uint* a = state, b = a + BlowfishPi.StateWords, c = b + BlowfishPi.StateWords, d = c + BlowfishPi.StateWords;
        for (var i = 0; i < BlowfishPi.PWords; i++)
        {
            a[i] ^= words[i];
            b[i] ^= words[BlowfishPi.PWords + i];
            c[i] ^= words[(2 * BlowfishPi.PWords) + i];
            d[i] ^= words[(3 * BlowfishPi.PWords) + i];
        }

        uint la = 0, ra = 0, lb = 0, rb = 0, lc = 0, rc = 0, ld = 0, rd = 0;
        for (var i = 0; i < BlowfishPi.StateWords; i += 2)
        {
            uint xa = la ^ a[0], ya = ra, xb = lb ^ b[0], yb = rb, xc = lc ^ c[0], yc = rc, xd = ld ^ d[0], yd = rd;
            for (var k = 1; k < 17; k += 2)
            {
                ya ^= F(a, xa) ^ a[k];
                yb ^= F(b, xb) ^ b[k];
                yc ^= F(c, xc) ^ c[k];
                yd ^= F(d, xd) ^ d[k];
                xa ^= F(a, ya) ^ a[k + 1];
                xb ^= F(b, yb) ^ b[k + 1];
                xc ^= F(c, yc) ^ c[k + 1];
                xd ^= F(d, yd) ^ d[k + 1];
            }

            la = ya ^ a[17];
            ra = xa;
            lb = yb ^ b[17];
            rb = xb;
            lc = yc ^ c[17];
            rc = xc;
            ld = yd ^ d[17];
            rd = xd;
            a[i] = la;
            a[i + 1] = ra;
            b[i] = lb;
            b[i + 1] = rb;
            c[i] = lc;
            c[i + 1] = rc;
            d[i] = ld;
            d[i + 1] = rd;
        }
    }
}
