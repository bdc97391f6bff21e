using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OtpAuth.Api.Tokens;

namespace OtpAuth.Api.Sessions;

/// <summary>
/// The answer a refresh gave, kept with the token it consumed so that the same token sent again within the reuse grace
/// (a retry after a lost answer) gets that same answer. Sealed with AES-GCM under a key derived from the consumed token,
/// which only the client holds (the database has its SHA-256): the stored answer is worthless to a reader of the database.
/// </summary>
internal static class RefreshAnswerSeal
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] Info = "otpauth refresh answer v1"u8.ToArray();

    public static byte[] Seal(string consumedToken, IssuedSession answer, DateTimeOffset now)
    {
        var access = Encoding.UTF8.GetBytes(answer.Access.Token);
        var refresh = Encoding.UTF8.GetBytes(answer.RefreshToken);
        var plain = new byte[8 + 8 + 4 + access.Length + refresh.Length];
        BinaryPrimitives.WriteInt64BigEndian(plain, (now + answer.Access.ExpiresIn).ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(plain.AsSpan(8), (now + answer.RefreshExpiresIn).ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(16), access.Length);
        access.CopyTo(plain, 20);
        refresh.CopyTo(plain, 20 + access.Length);

        var sealedAnswer = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedAnswer.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(KeyFor(consumedToken), TagBytes);
        aes.Encrypt(nonce, plain, sealedAnswer.AsSpan(NonceBytes, plain.Length), sealedAnswer.AsSpan(NonceBytes + plain.Length), answer.SessionId.ToByteArray());
        return sealedAnswer;
    }

    /// <summary>The answer sealed under <paramref name="consumedToken"/> for <paramref name="sessionId"/>, or null when it does not open.</summary>
    public static IssuedSession? Open(string consumedToken, Guid sessionId, byte[] sealedAnswer, DateTimeOffset now)
    {
        if (sealedAnswer.Length < NonceBytes + 20 + TagBytes)
        {
            return null;
        }

        var plain = new byte[sealedAnswer.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(KeyFor(consumedToken), TagBytes);
            aes.Decrypt(sealedAnswer.AsSpan(0, NonceBytes), sealedAnswer.AsSpan(NonceBytes, plain.Length), sealedAnswer.AsSpan(NonceBytes + plain.Length), plain, sessionId.ToByteArray());
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        var accessExpires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(plain));
        var refreshExpires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(plain.AsSpan(8)));
        var accessLength = BinaryPrimitives.ReadInt32BigEndian(plain.AsSpan(16));
        var access = Encoding.UTF8.GetString(plain, 20, accessLength);
        var refresh = Encoding.UTF8.GetString(plain, 20 + accessLength, plain.Length - 20 - accessLength);
        return new IssuedSession(sessionId, new AccessToken(access, accessExpires - now), refresh, refreshExpires - now);
    }

    private static byte[] KeyFor(string consumedToken) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(consumedToken), 32, salt: [], info: Info);
}
