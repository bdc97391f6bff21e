using System.Threading.Channels;
using OtpAuth.Api.Auth;

namespace OtpAuth.Api.Email;

/// <summary>
/// Resend's mail leaves the request path: the request reserves the send (cooldown, hourly cap) and queues the address,
/// then answers 202 at once, whether or not the address has an account waiting. Sending inline took ~100 ms for a real
/// account against ~2 ms for any other address, which told who has an account; now the request does the same work for
/// every address, and the lookup, the code and the SMTP session happen here. A failed send gives the reservation back
/// (as before), so the person can ask again at once. Bounded: when the queue is full, resend answers 503 for everyone.
/// </summary>
public sealed partial class ResendDispatcher(IServiceScopeFactory scopes, ILogger<ResendDispatcher> logger) : BackgroundService
{
    private const int Capacity = 1_000;
    private const int Workers = 4;

    private readonly Channel<string> _addresses = Channel.CreateBounded<string>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false });

    /// <summary>False when the queue is full.</summary>
    public bool TryEnqueue(string normalizedEmail) => _addresses.Writer.TryWrite(normalizedEmail);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in _addresses.Reader.ReadAllAsync(stoppingToken))
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<AuthService>().DeliverResendAsync(email, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // PostgreSQL or Redis down: the reservation runs out with its cooldown; the person can ask again then.
                    LogResendFailed(exception.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A queued resend could not be delivered ({ErrorType})")]
    private partial void LogResendFailed(string errorType);
}
