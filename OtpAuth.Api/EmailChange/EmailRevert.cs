namespace OtpAuth.Api.EmailChange;

/// <summary>
/// The way back after an address change: while it lives, the old address stays reserved for its account (nobody can
/// register it or move another account to it) and the code mailed to the old address puts it back
/// (<see cref="EmailChangeFlow.RevertAsync"/>).
/// </summary>
public sealed class EmailRevert
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    /// <summary>The address the account had before the change (normalized).</summary>
    public required string Email { get; init; }

    /// <summary>The address it was changed to, for the account's export and the revert's log.</summary>
    public required string NewEmail { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}
