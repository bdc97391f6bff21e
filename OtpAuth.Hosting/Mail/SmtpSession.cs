using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OtpAuth.Mail;

namespace OtpAuth.Hosting.Mail;

/// <summary>One SMTP session as the Api holds it: the same TLS choice (plain text only to this machine), the same login.</summary>
internal static class SmtpSession
{
    public const string DefaultFrom = "OtpAuth <no-reply@otpauth.localhost>";

    public static SecureSocketOptions SocketOptions(SmtpConnectionString smtp) => smtp.Security?.ToLowerInvariant() switch
    {
        "starttls" => SecureSocketOptions.StartTls,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        "none" => SecureSocketOptions.None,
        "auto" => SecureSocketOptions.Auto,
        _ when smtp.TlsOnConnect => SecureSocketOptions.SslOnConnect,
        _ when IsLoopback(smtp.Host) => SecureSocketOptions.None,
        _ when smtp.Port == 465 => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls, // required: an offer that can be stripped protects nothing
    };

    /// <summary>Sends <paramref name="message"/>; throws what MailKit throws.</summary>
    public static async Task SendAsync(SmtpConnectionString smtp, MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = 15_000 };
        await client.ConnectAsync(smtp.Host, smtp.Port, SocketOptions(smtp), cancellationToken);
        if (smtp.Username is not null)
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
}
