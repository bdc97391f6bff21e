namespace OtpAuth.Api.Passkeys;

/// <summary>A WebAuthn credential of an account: its public key, the last signature counter it reported, a name the person chose.</summary>
public sealed class Passkey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    /// <summary>The credential id the authenticator chose (unique across every account).</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The COSE-encoded public key.</summary>
    public required byte[] PublicKey { get; init; }

    public long SignCount { get; set; }

    public required string Name { get; set; }

    /// <summary>The authenticator's model (AAGUID), zero when it does not say.</summary>
    public Guid AaGuid { get; init; }

    public bool BackedUp { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }
}
