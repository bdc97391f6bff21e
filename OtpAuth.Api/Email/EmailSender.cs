using System.Collections.Concurrent;
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

/// <summary>
/// Sends through MailKit over a small pool of kept-alive SMTP sessions (at most <c>Smtp:MaxConnections</c> at once;
/// more senders wait for one), composed by <see cref="MailComposer"/>, so a mail does not pay for a session's opening
/// (TCP, greeting, EHLO, STARTTLS, AUTH). A kept session the server has closed meanwhile is
/// noticed on use and the mail is tried once more on a fresh one; a session that failed in any way is not kept.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, ApiMetrics metrics) : IOtpEmailSender, IDisposable
{
    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly SemaphoreSlim _sessions = new(options.Value.MaxConnections);

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

    /// <summary>
    /// One deadline, <c>Smtp:TimeoutSeconds</c>, for the whole mail: the wait for a free session, connecting, and the
    /// exchange. A server that stops answering then costs a register that long, and no session or sender waits longer.
    /// </summary>
    private async Task DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var span = ApiTelemetry.StartSmtpSpan(smtp.Host, smtp.Port);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(smtp.TimeoutSeconds));
        try
        {
            await DeliverAsync(message, span, deadline.Token);
        }
        catch (OperationCanceledException exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, nameof(TimeoutException));
            throw new EmailDeliveryException(
                $"SMTP delivery via {smtp.Host}:{smtp.Port} failed: no answer within {smtp.TimeoutSeconds} s (Smtp:TimeoutSeconds)",
                new TimeoutException("The SMTP deadline passed.", exception));
        }
    }

    private async Task DeliverAsync(MimeMessage message, Activity? span, CancellationToken cancellationToken)
    {
        await _sessions.WaitAsync(cancellationToken);
        try
        {
            var reused = _idle.TryTake(out var kept);
            var client = kept ?? NewClient();
            span?.SetTag("smtp.session.reused", reused);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await SendOnAsync(client, message, cancellationToken);
                    break;
                }
                catch (EmailDeliveryException exception) when (attempt == 1 && reused && IsClosedSession(exception.InnerException))
                {
                    // The server closed the kept session while it was idle (servers time idle sessions out): once more, fresh.
                    client.Dispose();
                    client = NewClient();
                }
                catch (EmailDeliveryException exception)
                {
                    client.Dispose();
                    span?.SetStatus(ActivityStatusCode.Error, exception.InnerException?.GetType().Name);
                    throw;
                }
                catch (OperationCanceledException)
                {
                    client.Dispose(); // cut off mid-exchange: the session is in no state to be kept
                    throw;
                }
            }

            // Accepted by the server: it will be delivered. The session is kept for the next mail.
            _idle.Add(client);
        }
        finally
        {
            _sessions.Release();
        }
    }

    private SmtpClient NewClient() => new() { Timeout = (int)TimeSpan.FromSeconds(options.Value.TimeoutSeconds).TotalMilliseconds };

    private async Task SendOnAsync(SmtpClient client, MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        try
        {
            if (!client.IsConnected)
            {
                await ConnectAsync(client, smtp, cancellationToken);
                if (!string.IsNullOrEmpty(smtp.Username))
                {
                    await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
                }
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
            throw new EmailDeliveryException(
                $"SMTP delivery via {smtp.Host}:{smtp.Port} failed: {exception.GetType().Name} {EmailDeliveryException.SmtpCodes(exception)}".TrimEnd(), exception);
        }
    }

    /// <summary>Connects with the configured TLS; a server that does not offer the required STARTTLS is named as such.</summary>
    private static async Task ConnectAsync(SmtpClient client, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, ToMailKit(smtp.Security), cancellationToken);
        }
        catch (NotSupportedException exception) when (smtp.Security == SmtpSecurity.StartTls)
        {
            throw new EmailDeliveryException(
                $"SMTP delivery via {smtp.Host}:{smtp.Port} refused: the server does not offer STARTTLS, which Smtp:Security=StartTls requires; "
                + "nothing was sent in plain text", exception);
        }
    }

    /// <summary>What a kept session looks like when the server has closed it: the socket is gone, or the server said 421.</summary>
    private static bool IsClosedSession(Exception? failure) => failure is IOException or System.Net.Sockets.SocketException
        or ServiceNotConnectedException or SmtpProtocolException
        or SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable };

    public void Dispose()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                client.Disconnect(quit: true);
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or SmtpProtocolException
                or SmtpCommandException or ServiceNotConnectedException or TimeoutException)
            {
            }

            client.Dispose();
        }

        _sessions.Dispose();
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };
}
