using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace OtpAuth.Api.Passwords.Bcrypt;

/// <summary>
/// bcrypt from the system's libxcrypt (<c>libcrypt.so.1</c>, on every glibc Linux), about a fifth faster than the
/// managed BCrypt.Net-Next at the same cost. Its <c>$2b$</c> output is the same format, and for the 64 ASCII characters
/// enhanced mode feeds it (see <see cref="Passwords.PasswordHasher"/>) every <c>$2a$/$2b$/$2y$</c> variant computes the same
/// hash, so hashes made by either verify with the other. Used only when present and when it agrees with BCrypt.Net-Next
/// on a known vector at start; otherwise the managed implementation does the work.
/// </summary>
internal static unsafe partial class NativeBcrypt
{
    private const string Library = "libcrypt.so.1";

    /// <summary>libxcrypt's <c>sizeof(struct crypt_data)</c> is 32768 bytes; a little more does no harm.</summary>
    private const int CryptDataSize = 32768;

    public static bool IsAvailable { get; } = Probe();

    /// <summary>bcrypt of <paramref name="key"/> with a fresh 128-bit salt at <paramref name="cost"/>, as <c>$2b$NN$…</c>.</summary>
    public static string Hash(string key, int cost)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var setting = stackalloc byte[64];
        fixed (byte* rbytes = random)
        {
            if (CryptGensaltRn("$2b$", (nuint)cost, rbytes, random.Length, setting, 64) == 0)
            {
                throw new CryptographicException($"libxcrypt refused a bcrypt salt of cost {cost} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }

        return Crypt(key, Marshal.PtrToStringUTF8((nint)setting)!)
            ?? throw new CryptographicException("libxcrypt could not hash.");
    }

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="hash"/>, compared in constant time.</summary>
    public static bool Verify(string key, string hash)
    {
        var computed = Crypt(key, hash);
        return computed is not null && computed.Length == hash.Length
            && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(computed), System.Text.Encoding.ASCII.GetBytes(hash));
    }

    /// <summary>crypt(3) of <paramref name="key"/> under <paramref name="setting"/> (a salt or a whole hash), or null when it is not one.</summary>
    public static string? Crypt(string key, string setting)
    {
        var data = NativeMemory.AllocZeroed(CryptDataSize);
        try
        {
            var result = CryptRn(key, setting, data, CryptDataSize);
            // libxcrypt answers a refused setting with null (crypt_rn) and never with the "*0" failure token.
            return result == 0 ? null : Marshal.PtrToStringUTF8(result);
        }
        finally
        {
            NativeMemory.Clear(data, CryptDataSize); // the key's schedule lived there
            NativeMemory.Free(data);
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(Library, out _))
        {
            return false;
        }

        try
        {
            // A vector of BCrypt.Net-Next's own, at cost 4: both must agree before the native one is trusted.
            const string key = "OtpAuth native bcrypt self-test";
            var managed = BCrypt.Net.BCrypt.HashPassword(key, 4);
            return Verify(key, managed) && BCrypt.Net.BCrypt.Verify(key, Hash(key, 4));
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or CryptographicException)
        {
            return false;
        }
    }

    [LibraryImport(Library, EntryPoint = "crypt_rn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint CryptRn(string phrase, string setting, void* data, int size);

    [LibraryImport(Library, EntryPoint = "crypt_gensalt_rn", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint CryptGensaltRn(string prefix, nuint count, byte* rbytes, int nrbytes, byte* output, int outputSize);
}
