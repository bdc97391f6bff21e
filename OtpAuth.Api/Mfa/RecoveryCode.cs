namespace OtpAuth.Api.Mfa;

/// <summary>One of an account's recovery codes, stored only as its keyed hash; each works once.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public required string Hash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}
