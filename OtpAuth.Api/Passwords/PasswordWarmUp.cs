namespace OtpAuth.Api.Passwords;

/// <summary>
/// Builds the <see cref="PasswordHasher"/> (and with it the dummy hash) and the <see cref="HashingGate"/> (its threads)
/// while the Api starts, before any request. The strength estimate's word lists
/// (about 150 ms of CPU) load with the first registration instead: a dozen Api processes starting together on two cores
/// is contended enough that a start-up health check once timed out.
/// </summary>
internal sealed class PasswordWarmUp(PasswordHasher hasher, HashingGate gate) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(hasher);
        GC.KeepAlive(gate);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
