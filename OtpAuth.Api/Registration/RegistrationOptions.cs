using System.ComponentModel.DataAnnotations;

namespace OtpAuth.Api.Registration;

/// <summary>The <c>Registration</c> section: how long a pending registration waits for its code, and how often the expired are purged.</summary>
public sealed class RegistrationOptions
{
    public const string SectionName = "Registration";

    /// <summary>After this, a pending registration is void (its password hash is deleted at the next purge).</summary>
    [Range(1, 720, ErrorMessage = "Registration:LifetimeHours must be between 1 and 720.")]
    public int LifetimeHours { get; set; } = 24;

    [Range(1, 86_400, ErrorMessage = "Registration:PurgeIntervalSeconds must be between 1 and 86400.")]
    public int PurgeIntervalSeconds { get; set; } = 600;
}
