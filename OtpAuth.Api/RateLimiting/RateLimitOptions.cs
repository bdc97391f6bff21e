using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OtpAuth.Api.RateLimiting;

/// <summary>
/// How many requests one client IP and one target address may make to an endpoint per window (fixed windows in Redis,
/// so every replica counts against the same numbers). Bound from <c>RateLimits:&lt;Endpoint&gt;</c>.
/// </summary>
public sealed class EndpointLimit
{
    /// <summary>
    /// Requests per window from one client network: an IPv4 address or an IPv6 /64; an IPv6 /56 and /48 get
    /// <see cref="RateLimitOptions.Ipv6SiteFactor"/> and <see cref="RateLimitOptions.Ipv6AllocationFactor"/> times as many.
    /// </summary>
    [Range(1, 10_000_000)]
    public int PerIp { get; set; }

    /// <summary>Requests per window naming one email address from one client network (scaled like <see cref="PerIp"/>); 0 = off.</summary>
    [Range(0, 10_000_000)]
    public int PerAddress { get; set; }

    /// <summary>
    /// Requests per window naming one email address from every network together, counting only requests within their own
    /// network's limit, so no stranger's refused requests spend it; 0 = off. Must exceed what one /48 may send alone.
    /// </summary>
    [Range(0, 10_000_000)]
    public int AddressCeiling { get; set; }

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; }
}

/// <summary>The <c>RateLimits</c> section: one limit per auth endpoint and the mail budget.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Off only for experiments: every limit of this section stops counting.</summary>
    public bool Enabled { get; set; } = true;

    public EndpointLimit Register { get; set; } = new() { PerIp = 20, PerAddress = 10, AddressCeiling = 50, WindowSeconds = 3600 };

    /// <summary>
    /// No ceiling from every network together, here and on <see cref="ResetPassword"/>: guessing codes is bounded by
    /// making the address's codes long (<see cref="Otp.OtpOptions.MaxFailuresBeforeLongCodes"/>), and a ceiling would let
    /// strangers keep the owner from entering their code.
    /// </summary>
    public EndpointLimit VerifyOtp { get; set; } = new() { PerIp = 60, PerAddress = 30, WindowSeconds = 3600 };

    public EndpointLimit ResendOtp { get; set; } = new() { PerIp = 20, PerAddress = 10, AddressCeiling = 50, WindowSeconds = 3600 };

    /// <summary>
    /// No per-address limit by default: anyone can name any address, so a stranger sending a few logins a minute would
    /// keep the owner on 429 wherever they are, defeating <see cref="Auth.LoginThrottle"/>'s exemption for networks the
    /// account logged in from. The throttle limits guesses per account instead.
    /// </summary>
    public EndpointLimit Login { get; set; } = new() { PerIp = 100, PerAddress = 0, WindowSeconds = 900 };

    /// <summary>The account endpoints behind a bearer token: me, sessions, logout, password change.</summary>
    public EndpointLimit Me { get; set; } = new() { PerIp = 300, PerAddress = 0, WindowSeconds = 60 };

    public EndpointLimit ForgotPassword { get; set; } = new() { PerIp = 20, PerAddress = 10, AddressCeiling = 50, WindowSeconds = 3600 };

    public EndpointLimit ResetPassword { get; set; } = new() { PerIp = 60, PerAddress = 30, WindowSeconds = 3600 };

    /// <summary>"Email me a code": as <see cref="ForgotPassword"/>, which it resembles (a mail only to a verified account).</summary>
    public EndpointLimit SignInCode { get; set; } = new() { PerIp = 20, PerAddress = 10, AddressCeiling = 50, WindowSeconds = 3600 };

    /// <summary>As <see cref="VerifyOtp"/>: no ceiling, the address's codes turn long instead.</summary>
    public EndpointLimit SignInCodeVerify { get; set; } = new() { PerIp = 60, PerAddress = 30, WindowSeconds = 3600 };

    /// <summary>Taking an old address back with its code: as <see cref="ResetPassword"/>.</summary>
    public EndpointLimit RevertEmail { get; set; } = new() { PerIp = 60, PerAddress = 30, WindowSeconds = 3600 };

    /// <summary>
    /// The account actions that mail a code (an address change, a deletion code), per client network: each mail also
    /// takes from the recipient address's send budget and the mail budget.
    /// </summary>
    public EndpointLimit AccountCodes { get; set; } = new() { PerIp = 20, PerAddress = 0, WindowSeconds = 3600 };

    /// <summary>Passkey sign-in options and answers, per client network: bounds load (an assertion cannot be guessed).</summary>
    public EndpointLimit PasskeySignIn { get; set; } = new() { PerIp = 60, PerAddress = 0, WindowSeconds = 900 };

    /// <summary>
    /// The second step of a sign-in, per client network; guessing is bounded per account
    /// (<see cref="Mfa.MfaOptions.MaxConsecutiveFailures"/>), and the mfa_token lives 5 minutes.
    /// </summary>
    public EndpointLimit MfaVerify { get; set; } = new() { PerIp = 60, PerAddress = 0, WindowSeconds = 900 };

    /// <summary>Refresh tokens are 256 random bits, so this bounds load, not guessing.</summary>
    public EndpointLimit Refresh { get; set; } = new() { PerIp = 300, PerAddress = 0, WindowSeconds = 900 };

    /// <summary>How many times a client's own limit an IPv6 /56 gets (a home or office holds one; its /64s are not strangers).</summary>
    [Range(1, 1_000, ErrorMessage = "RateLimits:Ipv6SiteFactor must be between 1 and 1000.")]
    public int Ipv6SiteFactor { get; set; } = 2;

    /// <summary>How many times a client's own limit an IPv6 /48 gets: one allocation, 65,536 /64s, is not 65,536 clients.</summary>
    [Range(1, 1_000, ErrorMessage = "RateLimits:Ipv6AllocationFactor must be between 1 and 1000.")]
    public int Ipv6AllocationFactor { get; set; } = 4;

    /// <summary>A per-client limit as it applies to a network of <paramref name="size"/>.</summary>
    public int Scale(int limit, Security.ClientNetworkSize size) => size switch
    {
        Security.ClientNetworkSize.Site => limit * Ipv6SiteFactor,
        Security.ClientNetworkSize.Allocation => limit * Ipv6AllocationFactor,
        _ => limit,
    };

    /// <summary>
    /// The shared mail budget: mails per minute the whole service sends beyond each network's first mail of the hour, so
    /// it cannot be used to bomb inboxes or burn the SMTP account. A network's first mail does not take from it, so a
    /// flood that spends it keeps no newcomer from getting a code.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:MailsPerMinute must be between 1 and 1000000.")]
    public int MailsPerMinute { get; set; } = 60;

    /// <summary>
    /// How much of <see cref="MailsPerMinute"/> one network (an IPv4 address, an IPv6 /48) may take in a minute, so one
    /// flooding network leaves the rest to others. Unset: a tenth of <see cref="MailsPerMinute"/>, at least 1.
    /// </summary>
    public int? MailsPerNetworkPerMinute { get; set; }

    /// <summary>
    /// Every mail per minute, first mails included: what the SMTP account can be made to send at most, whatever the
    /// number of networks. Unset: 10 × <see cref="MailsPerMinute"/>.
    /// </summary>
    [Range(1, 100_000_000, ErrorMessage = "RateLimits:MailsPerMinuteCeiling must be between 1 and 100000000.")]
    public int? MailsPerMinuteCeiling { get; set; }

    /// <summary><see cref="MailsPerNetworkPerMinute"/> as it applies.</summary>
    public int NetworkMailShare => MailsPerNetworkPerMinute ?? Math.Max(1, MailsPerMinute / 10);

    /// <summary><see cref="MailsPerMinuteCeiling"/> as it applies.</summary>
    public int MailCeiling => MailsPerMinuteCeiling ?? MailsPerMinute * 10;

    public EndpointLimit For(RateLimitedEndpoint endpoint) => endpoint switch
    {
        RateLimitedEndpoint.Register => Register,
        RateLimitedEndpoint.VerifyOtp => VerifyOtp,
        RateLimitedEndpoint.ResendOtp => ResendOtp,
        RateLimitedEndpoint.Login => Login,
        RateLimitedEndpoint.Refresh => Refresh,
        RateLimitedEndpoint.ForgotPassword => ForgotPassword,
        RateLimitedEndpoint.ResetPassword => ResetPassword,
        RateLimitedEndpoint.SignInCode => SignInCode,
        RateLimitedEndpoint.SignInCodeVerify => SignInCodeVerify,
        RateLimitedEndpoint.RevertEmail => RevertEmail,
        RateLimitedEndpoint.AccountCodes => AccountCodes,
        RateLimitedEndpoint.PasskeySignIn => PasskeySignIn,
        RateLimitedEndpoint.MfaVerify => MfaVerify,
        _ => Me,
    };
}

/// <summary>Each endpoint's numbers in range, with messages naming the key (the DataAnnotations validator does not recurse).</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>();
        foreach (var endpoint in Enum.GetValues<RateLimitedEndpoint>())
        {
            var limit = options.For(endpoint);
            var key = $"{RateLimitOptions.SectionName}:{endpoint}";
            if (limit.PerIp < 1)
            {
                errors.Add($"{key}:PerIp must be at least 1.");
            }

            if (limit.PerAddress < 0)
            {
                errors.Add($"{key}:PerAddress must be 0 (off) or more.");
            }

            if (limit.AddressCeiling > 0 && limit.AddressCeiling <= limit.PerAddress * options.Ipv6AllocationFactor)
            {
                errors.Add($"{key}:AddressCeiling must be 0 (off) or more than PerAddress × RateLimits:Ipv6AllocationFactor ({limit.PerAddress * options.Ipv6AllocationFactor}).");
            }

            if (limit.WindowSeconds is < 1 or > 86_400)
            {
                errors.Add($"{key}:WindowSeconds must be between 1 and 86400.");
            }
        }

        // A share above the shared budget would not be a share; a ceiling below it would refuse mails the budget allows.
        if (options.MailsPerNetworkPerMinute is { } share && (share < 1 || share > options.MailsPerMinute))
        {
            errors.Add($"{RateLimitOptions.SectionName}:MailsPerNetworkPerMinute must be between 1 and {RateLimitOptions.SectionName}:MailsPerMinute ({options.MailsPerMinute}).");
        }

        if (options.MailsPerMinuteCeiling is { } ceiling && ceiling < options.MailsPerMinute)
        {
            errors.Add($"{RateLimitOptions.SectionName}:MailsPerMinuteCeiling must be at least {RateLimitOptions.SectionName}:MailsPerMinute ({options.MailsPerMinute}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public enum RateLimitedEndpoint
{
    Register,
    VerifyOtp,
    ResendOtp,
    Login,
    Me,
    Refresh,
    ForgotPassword,
    ResetPassword,
    SignInCode,
    SignInCodeVerify,
    RevertEmail,
    AccountCodes,
    PasskeySignIn,
    MfaVerify,
}
