namespace OtpAuth.Api.Registration;

/// <summary>
/// Who holds an address, read in one round trip: the account that has it, if any, and whether an account that moved
/// away from it may still take it back (an <see cref="EmailChange.EmailRevert"/> reserves it meanwhile).
/// </summary>
public sealed class AddressHolder
{
    public Guid? OwnerId { get; init; }

    /// <summary>The owner's mail language; null without an owner.</summary>
    public string? OwnerLanguage { get; init; }

    public bool Reserved { get; init; }
}
