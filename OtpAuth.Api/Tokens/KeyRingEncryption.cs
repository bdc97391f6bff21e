using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Tokens;

/// <summary>
/// Encrypts the Data Protection key ring at rest with AES-256-GCM under a key derived from <c>Jwt:KeyRingSecret</c>.
/// On Linux, Data Protection has no encryptor of its own short of a certificate, and would store its master keys in
/// PostgreSQL in the clear, next to the signing keys they protect: a database dump alone must not yield the keys.
/// </summary>
internal static class KeyRingEncryption
{
    private static ReadOnlySpan<byte> Info => "OtpAuth Data Protection key ring"u8;

    public static byte[] DeriveKey(string secret) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: Info.ToArray());

    public static string Encrypt(byte[] key, string plaintext)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedData = new byte[12 + 16 + data.Length];
        var nonce = sealedData.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, data, sealedData.AsSpan(28), sealedData.AsSpan(12, 16));
        return Convert.ToBase64String(sealedData);
    }

    public static string Decrypt(byte[] key, string ciphertext)
    {
        var sealedData = Convert.FromBase64String(ciphertext);
        var plaintext = new byte[sealedData.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedData.AsSpan(0, 12), sealedData.AsSpan(28), sealedData.AsSpan(12, 16), plaintext);
        return Encoding.UTF8.GetString(plaintext);
    }
}

internal sealed class KeyRingXmlEncryptor(byte[] key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("encryptedKey", new XComment(" AES-256-GCM under Jwt:KeyRingSecret "),
            new XElement("value", KeyRingEncryption.Encrypt(key, plaintextElement.ToString(SaveOptions.DisableFormatting)))),
            typeof(KeyRingXmlDecryptor));
}

/// <summary>Created by Data Protection from the type named in the stored XML, with the service provider.</summary>
internal sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var secret = services.GetRequiredService<IOptions<JwtOptions>>().Value.KeyRingSecret;
        return XElement.Parse(KeyRingEncryption.Decrypt(KeyRingEncryption.DeriveKey(secret), (string)encryptedElement.Element("value")!));
    }
}

/// <summary>Puts <see cref="KeyRingXmlEncryptor"/> into Data Protection's key management.</summary>
internal sealed class KeyRingEncryptionSetup(IOptions<JwtOptions> jwt) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options) =>
        options.XmlEncryptor = new KeyRingXmlEncryptor(KeyRingEncryption.DeriveKey(jwt.Value.KeyRingSecret));
}
