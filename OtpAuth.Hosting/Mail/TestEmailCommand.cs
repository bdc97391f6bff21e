using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OtpAuth.Mail;

namespace OtpAuth.Hosting.Mail;

/// <summary>
/// The dashboard command "Send test email" on a mail resource: one message through the configured SMTP server (the dev
/// server or real credentials), answering whether the server accepted it and, if not, why (the failure's kind and SMTP
/// status; never the server's reply text, which may quote addresses, nor any credential).
/// </summary>
public static class TestEmailCommand
{
    public const string Name = "send-test-email";

    /// <summary>Where the test mail goes: <c>Smtp:TestRecipient</c>, else the sender itself.</summary>
    public const string RecipientKey = "Smtp:TestRecipient";

    public static IResourceBuilder<T> WithTestEmailCommand<T>(this IResourceBuilder<T> builder) where T : IResourceWithConnectionString
    {
        var configuredRecipient = builder.ApplicationBuilder.Configuration[RecipientKey];
        return builder.WithCommand(Name, "Send test email", async context =>
        {
            var connectionString = await builder.Resource.GetConnectionStringAsync(context.CancellationToken);
            if (!SmtpConnectionString.TryParse(connectionString, out var smtp))
            {
                return CommandResults.Failure("The mail connection string is not smtp://host:port or smtps://host:port.");
            }

            var from = MailboxAddress.Parse(smtp!.From ?? SmtpSession.DefaultFrom);
            var to = configuredRecipient is { Length: > 0 } ? MailboxAddress.Parse(configuredRecipient) : from;
            using var message = new MimeMessage
            {
                Subject = "OtpAuth test email",
                Body = new TextPart("plain") { Text = $"This test email was sent from the OtpAuth AppHost at {DateTimeOffset.UtcNow:u} through {smtp.Host}:{smtp.Port}." },
            };
            message.From.Add(from);
            message.To.Add(to);
            try
            {
                await SmtpSession.SendAsync(smtp, message, context.CancellationToken);
                return CommandResults.Success($"{smtp.Host}:{smtp.Port} accepted a test email to {to.Address}.");
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or SmtpCommandException
                or SmtpProtocolException or MailKit.Security.AuthenticationException or SslHandshakeException or NotSupportedException
                or ServiceNotConnectedException or TimeoutException)
            {
                var status = exception is SmtpCommandException command ? $" (SMTP {(int)command.StatusCode} {command.StatusCode})" : "";
                return CommandResults.Failure($"{smtp.Host}:{smtp.Port} did not accept the test email: {exception.GetType().Name}{status}.");
            }
        }, new CommandOptions
        {
            Description = "Sends one email through this SMTP server and says whether it was accepted.",
            IconName = "Mail",
        });
    }
}
