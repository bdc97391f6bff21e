namespace OtpAuth.Api.Tokens;

/// <summary>
/// One ES256 key of the ring: published from <see cref="CreatedAt"/> until <see cref="UnpublishAt"/>, signing from
/// <see cref="SignFrom"/> until <see cref="SignUntil"/>. The private key is stored only as Data Protection ciphertext.
/// </summary>
public sealed class SigningKey
{
    public required string Kid { get; init; }

    /// <summary>The token issuer the key belongs to: deployments sharing a database keep separate rings.</summary>
    public required string Issuer { get; init; }

    /// <summary>The PKCS#8 private key, protected by <see cref="Microsoft.AspNetCore.DataProtection.IDataProtector"/>.</summary>
    public required string ProtectedPrivateKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SignFrom { get; init; }

    public DateTimeOffset SignUntil { get; init; }

    /// <summary>After the last token signed with it has expired.</summary>
    public DateTimeOffset UnpublishAt { get; init; }
}
