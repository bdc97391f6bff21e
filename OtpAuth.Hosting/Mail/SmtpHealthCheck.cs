using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OtpAuth.Mail;

namespace OtpAuth.Hosting.Mail;

/// <summary>
/// Healthy when the SMTP server of a <c>mail</c> connection string greets a client: a connection with MailKit, TLS as
/// the connection string asks, then QUIT. No login and no mail: a probe must not spend a real account's quota.
/// </summary>
/// <remarks>
/// The connection string is resolved at each check, not captured from ConnectionStringAvailableEvent: a configured
/// server (<c>AddConnectionString</c>) never raises that event, and its check would otherwise never see a value.
/// </remarks>
internal sealed class SmtpHealthCheck(Func<CancellationToken, ValueTask<string?>> connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!SmtpConnectionString.TryParse(await connectionString(cancellationToken), out var smtp))
        {
            return HealthCheckResult.Unhealthy("The mail connection string is not smtp://host:port or smtps://host:port.");
        }

        using var client = new SmtpClient { Timeout = 5_000 };
        try
        {
            await client.ConnectAsync(smtp!.Host, smtp.Port, SmtpSession.SocketOptions(smtp), cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or SmtpProtocolException
            or SmtpCommandException or SslHandshakeException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"SMTP {smtp!.Host}:{smtp.Port} did not answer: {exception.GetType().Name}");
        }
    }
}
