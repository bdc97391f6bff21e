using System.Diagnostics;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Email;

/// <summary>The mail could not be handed to the SMTP server; the message says why in operator terms, never the code.</summary>
public sealed class EmailDeliveryException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>
    /// What may be logged of a send failure besides its type: the SMTP status and MailKit error codes, never the server's
    /// reply text, which can name the recipient ("550 &lt;bob@example.com&gt; rejected").
    /// </summary>
    public static string SmtpCodes(Exception? cause) => cause switch
    {
        SmtpCommandException command => $"(SMTP {(int)command.StatusCode} {command.StatusCode}, {command.ErrorCode})",
        _ => "",
    };
}

public interface IOtpEmailSender
{
    /// <exception cref="EmailDeliveryException">The SMTP server could not be reached or refused the message.</exception>
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}

/// <summary>Sends through MailKit, one SMTP session per message, composed by <see cref="MailComposer"/>.</summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, ApiMetrics metrics) : IOtpEmailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        using var message = MailComposer.Compose(mail, MailboxAddress.Parse(options.Value.From));
        await SendAsync(message, cancellationToken);
    }

    private async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await DeliverAsync(message, cancellationToken);
            metrics.EmailSendTook(Stopwatch.GetElapsedTime(started), ok: true);
        }
        catch (EmailDeliveryException)
        {
            metrics.EmailSendTook(Stopwatch.GetElapsedTime(started), ok: false);
            metrics.EmailFailed();
            throw;
        }
    }

    private async Task DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var span = ApiTelemetry.StartSmtpSpan(smtp.Host, smtp.Port);
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(smtp.TimeoutSeconds).TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, ToMailKit(smtp.Security), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
        }
        // NotSupportedException: the server does not offer AUTH (or no mechanism MailKit supports). Both
        // AuthenticationException types: MailKit's (credentials refused) and .NET's (a TLS failure outside a handshake).
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException
            or SmtpCommandException or SmtpProtocolException or AuthenticationException or SslHandshakeException
            or System.Security.Authentication.AuthenticationException or NotSupportedException
            or ServiceNotConnectedException or TimeoutException)
        {
            span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw new EmailDeliveryException(
                $"SMTP delivery via {smtp.Host}:{smtp.Port} failed: {exception.GetType().Name} {EmailDeliveryException.SmtpCodes(exception)}".TrimEnd(), exception);
        }

        // The server has accepted the message: it will be delivered whatever happens to the rest of the session, so a
        // failed QUIT is not a failed send (counting it as one would delete a code that is already in the mailbox).
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or SmtpProtocolException
            or SmtpCommandException or ServiceNotConnectedException or TimeoutException)
        {
        }
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };
}
