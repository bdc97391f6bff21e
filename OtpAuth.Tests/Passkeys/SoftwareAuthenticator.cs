using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OtpAuth.Tests.Passkeys;

/// <summary>
/// A WebAuthn authenticator in software, as a browser's would answer (attestation "none", ES256, user verified), so the
/// Api's passkey ceremonies are tested over HTTP with every field under the test's control: a replayed answer, another
/// flow's challenge, a wrong user handle, a counter that goes backwards. The Web's journeys use Chromium's virtual
/// authenticator instead.
/// </summary>
public sealed class SoftwareAuthenticator(string origin) : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>The user handle the relying party gave at creation; a test may change it to lie.</summary>
    public byte[] UserHandle { get; set; } = [];

    public uint Counter { get; set; }

    /// <summary>Answers creation options (the Api's JSON) with a new credential, as <c>credential.toJSON()</c>.</summary>
    public JsonObject Create(JsonElement options)
    {
        var rpId = options.GetProperty("rp").GetProperty("id").GetString()!;
        UserHandle = FromBase64Url(options.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", options.GetProperty("challenge").GetString()!);
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        var coseKey = Cbor.Map(
            (Cbor.Int(1), Cbor.Int(2)), (Cbor.Int(3), Cbor.Int(-7)), (Cbor.Int(-1), Cbor.Int(1)),
            (Cbor.Int(-2), Cbor.Bytes(parameters.Q.X!)), (Cbor.Int(-3), Cbor.Bytes(parameters.Q.Y!)));
        var attested = new byte[16 + 2 + CredentialId.Length];
        BinaryPrimitives.WriteUInt16BigEndian(attested.AsSpan(16), (ushort)CredentialId.Length);
        CredentialId.CopyTo(attested, 18);
        var authData = AuthData(rpId, flags: 0x45, [.. attested, .. coseKey]); // user present, user verified, attested credential data
        var attestation = Cbor.Map((Cbor.Text("fmt"), Cbor.Text("none")), (Cbor.Text("attStmt"), Cbor.Map()), (Cbor.Text("authData"), Cbor.Bytes(authData)));
        return new JsonObject
        {
            ["id"] = ToBase64Url(CredentialId),
            ["rawId"] = ToBase64Url(CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = ToBase64Url(clientData),
                ["attestationObject"] = ToBase64Url(attestation),
                ["transports"] = new JsonArray("internal"),
            },
            ["clientExtensionResults"] = new JsonObject(),
        };
    }

    /// <summary>Answers request options (the Api's JSON) with an assertion signed by this credential; the counter moves on first.</summary>
    public JsonObject Get(JsonElement options)
    {
        var rpId = options.GetProperty("rpId").GetString()!;
        Counter++;
        var clientData = ClientData("webauthn.get", options.GetProperty("challenge").GetString()!);
        var authData = AuthData(rpId, flags: 0x05, []);
        var signature = _key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new JsonObject
        {
            ["id"] = ToBase64Url(CredentialId),
            ["rawId"] = ToBase64Url(CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = ToBase64Url(clientData),
                ["authenticatorData"] = ToBase64Url(authData),
                ["signature"] = ToBase64Url(signature),
                ["userHandle"] = ToBase64Url(UserHandle),
            },
            ["clientExtensionResults"] = new JsonObject(),
        };
    }

    private byte[] ClientData(string type, string challenge) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }));

    private byte[] AuthData(string rpId, byte flags, byte[] attested)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, Counter);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), flags, .. counter, .. attested];
    }

    public static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    public void Dispose() => _key.Dispose();

    /// <summary>The few CBOR items an authenticator writes (RFC 8949, definite lengths).</summary>
    private static class Cbor
    {
        public static byte[] Int(int value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

        public static byte[] Bytes(byte[] value) => [.. Head(2, (ulong)value.Length), .. value];

        public static byte[] Text(string value) => [.. Head(3, (ulong)Encoding.UTF8.GetByteCount(value)), .. Encoding.UTF8.GetBytes(value)];

        public static byte[] Map(params (byte[] Key, byte[] Value)[] entries) =>
            [.. Head(5, (ulong)entries.Length), .. entries.SelectMany(e => e.Key.Concat(e.Value))];

        private static byte[] Head(int major, ulong value) => value switch
        {
            < 24 => [(byte)((major << 5) | (int)value)],
            <= byte.MaxValue => [(byte)((major << 5) | 24), (byte)value],
            _ => [(byte)((major << 5) | 25), (byte)(value >> 8), (byte)value],
        };
    }
}
