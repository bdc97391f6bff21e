using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Sessions;

/// <summary>The <c>Sessions</c> section: how long a refresh token may lie unused, and how long a session may live at all.</summary>
public sealed class SessionLifetimeOptions
{
    public const string SectionName = "Sessions";

    [Range(1, 365, ErrorMessage = "Sessions:RefreshTokenDays must be between 1 and 365.")]
    public int RefreshTokenDays { get; set; } = 30;

    [Range(1, 3650, ErrorMessage = "Sessions:AbsoluteLifetimeDays must be between 1 and 3650.")]
    public int AbsoluteLifetimeDays { get; set; } = 90;

    /// <summary>
    /// How long a refresh token that was just used may be sent again and get the same answer (a client retrying after
    /// a lost answer); after it, sending a used token again is reuse and ends the session.
    /// </summary>
    [Range(0, 300, ErrorMessage = "Sessions:RefreshReuseGraceSeconds must be between 0 and 300.")]
    public int RefreshReuseGraceSeconds { get; set; } = 10;

    public TimeSpan RefreshReuseGrace => TimeSpan.FromSeconds(RefreshReuseGraceSeconds);

    public TimeSpan RefreshTokenLifetime => TimeSpan.FromDays(RefreshTokenDays);

    public TimeSpan AbsoluteLifetime => TimeSpan.FromDays(AbsoluteLifetimeDays);
}

internal sealed class SessionLifetimeOptionsValidator : IValidateOptions<SessionLifetimeOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionLifetimeOptions options) =>
        options.AbsoluteLifetimeDays < options.RefreshTokenDays
            ? ValidateOptionsResult.Fail("Sessions:AbsoluteLifetimeDays must be at least Sessions:RefreshTokenDays.")
            : ValidateOptionsResult.Success;
}
