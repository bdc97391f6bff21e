using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MimeKit;
using OtpAuth.Mail;

namespace OtpAuth.Api.Email;

public enum SmtpSecurity
{
    /// <summary>
    /// TLS on connect for port 465, else STARTTLS when the server offers it: an attacker on the path can strip the offer,
    /// so only when asked for, and the Api warns at start for any server not on this machine.
    /// </summary>
    Auto,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,

    /// <summary>Plain text: only for a local development mail catcher.</summary>
    None,
}

/// <summary>
/// Where mail goes. Starts from <c>ConnectionStrings:mail</c> (<c>smtp://host:port</c> from the AppHost, or
/// <c>smtps://</c>) and then takes every <c>Smtp:*</c> value that is set, so real SMTP settings win. Unless
/// <c>Smtp:Security</c> (or the connection string's <c>security=</c>) says otherwise, every server not on this machine
/// gets TLS: on connect for <c>smtps://</c> or port 465, else STARTTLS, required (<see cref="SmtpSecurityDefaults"/>).
/// Plain text is only ever chosen by itself for a loopback host (the dev mail catcher).
/// </summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";
    public const string ConnectionName = "mail";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Smtp:Host is required (or ConnectionStrings:mail as smtp://host:port).")]
    public string Host { get; set; } = "";

    [Range(1, 65_535, ErrorMessage = "Smtp:Port must be between 1 and 65535.")]
    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    [EnumDataType(typeof(SmtpSecurity), ErrorMessage = "Smtp:Security must be Auto, StartTls, SslOnConnect or None.")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    [Required(AllowEmptyStrings = false, ErrorMessage = "Smtp:From is required, such as \"OtpAuth <no-reply@example.com>\".")]
    public string From { get; set; } = "OtpAuth <no-reply@otpauth.localhost>";

    /// <summary>SMTP sessions kept open and used at once; more mails at the same moment wait for one.</summary>
    [Range(1, 100, ErrorMessage = "Smtp:MaxConnections must be between 1 and 100.")]
    public int MaxConnections { get; set; } = 4;

    /// <summary>
    /// The most one mail may take, waiting for a free session included. Register waits for its mail, and every endpoint
    /// answers within 10 s even when a dependency hangs, so a larger value breaks that promise.
    /// </summary>
    [Range(1, 300, ErrorMessage = "Smtp:TimeoutSeconds must be between 1 and 300.")]
    public int TimeoutSeconds { get; set; } = 5;
}

/// <summary>
/// Fills <see cref="SmtpOptions"/> from the <c>mail</c> connection string (see <see cref="SmtpConnectionString"/>) before
/// the <c>Smtp</c> section is bound over it.
/// </summary>
internal sealed class SmtpOptionsFromConnectionString(IConfiguration configuration) : IConfigureOptions<SmtpOptions>
{
    public void Configure(SmtpOptions options)
    {
        var connectionString = configuration.GetConnectionString(SmtpOptions.ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        if (!SmtpConnectionString.TryParse(connectionString, out var smtp))
        {
            throw new OptionsValidationException(SmtpOptions.ConnectionName, typeof(SmtpOptions),
                ["ConnectionStrings:mail must look like smtp://host:port or smtps://host:port (user:password@ and ?security=…&from=… optional)."]);
        }

        options.Host = smtp!.Host;
        options.Port = smtp.Port;
        // smtp:// says "no TLS on connect", not "no TLS": SmtpSecurityDefaults picks TLS by host and port once the
        // Smtp section is bound over this (an Smtp:Host set beside the connection string is the host that counts).
        if (Enum.TryParse<SmtpSecurity>(smtp.Security, ignoreCase: true, out var security))
        {
            options.Security = security;
        }
        else if (smtp.TlsOnConnect)
        {
            options.Security = SmtpSecurity.SslOnConnect;
        }

        options.Username = smtp.Username;
        options.Password = smtp.Password;
        if (smtp.From is { Length: > 0 } from)
        {
            options.From = from;
        }
    }

    /// <summary>Whether the connection string names a <c>security</c> or is <c>smtps://</c>.</summary>
    internal static bool ChoosesSecurity(IConfiguration configuration) =>
        SmtpConnectionString.TryParse(configuration.GetConnectionString(SmtpOptions.ConnectionName), out var smtp)
        && (smtp!.TlsOnConnect || !string.IsNullOrEmpty(smtp.Security));

    /// <summary>localhost (and its subdomains) or a loopback IP address.</summary>
    internal static bool IsLoopback(string host)
    {
        var name = host.Trim('[', ']').TrimEnd('.');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return System.Net.IPAddress.TryParse(name, out var address) && System.Net.IPAddress.IsLoopback(address);
    }
}

/// <summary>
/// The TLS a server gets when no one chose: none for the dev mail catcher on this machine, TLS on connect for port 465,
/// else STARTTLS, required, so an attacker on the path cannot strip the server's offer and read the codes (and the
/// password) in plain text. Runs after the <c>Smtp</c> section is bound, so it sees the host and port that count.
/// </summary>
internal sealed class SmtpSecurityDefaults(IConfiguration configuration) : IPostConfigureOptions<SmtpOptions>
{
    public void PostConfigure(string? name, SmtpOptions options)
    {
        if (string.IsNullOrEmpty(configuration[$"{SmtpOptions.SectionName}:{nameof(SmtpOptions.Security)}"])
            && !SmtpOptionsFromConnectionString.ChoosesSecurity(configuration))
        {
            options.Security = For(options.Host, options.Port);
        }
    }

    public static SmtpSecurity For(string host, int port) =>
        SmtpOptionsFromConnectionString.IsLoopback(host) ? SmtpSecurity.None
        : port == 465 ? SmtpSecurity.SslOnConnect
        : SmtpSecurity.StartTls;

    /// <summary>True when the configuration asked for a server off this machine to be talked to without TLS for sure.</summary>
    public static bool IsWeakForRemote(SmtpOptions options) =>
        options.Security is SmtpSecurity.None or SmtpSecurity.Auto && !SmtpOptionsFromConnectionString.IsLoopback(options.Host);
}

/// <summary>Says at start, as a warning, that mail to a server off this machine may travel in plain text, because configuration asked.</summary>
internal sealed partial class SmtpSecurityWarning(IOptions<SmtpOptions> options, ILogger<SmtpSecurityWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        if (SmtpSecurityDefaults.IsWeakForRemote(smtp))
        {
            LogWeakSecurity(smtp.Host, smtp.Port, smtp.Security);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Smtp:Security is {Security} for {Host}:{Port}, which is not on this machine: "
        + "an attacker on the path can read the codes and the SMTP password. Use StartTls or SslOnConnect unless the path is trusted.")]
    private partial void LogWeakSecurity(string host, int port, SmtpSecurity security);
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (!MailboxAddress.TryParse(options.From, out _))
        {
            return ValidateOptionsResult.Fail("Smtp:From is not a valid address, such as \"OtpAuth <no-reply@example.com>\".");
        }

        return string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password)
            ? ValidateOptionsResult.Fail("Smtp:Username and Smtp:Password must be set together.")
            : ValidateOptionsResult.Success;
    }
}
