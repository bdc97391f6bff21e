namespace OtpAuth.Api.Passwords;

/// <summary>
/// Does, while the Api starts and before any request, what would otherwise make the first login or registration slow:
/// builds the <see cref="PasswordHasher"/> (and with it the dummy hash) and loads the strength estimate's word lists.
/// </summary>
internal sealed class PasswordWarmUp(PasswordHasher hasher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(hasher);
        PasswordPolicy.LoadWordLists();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
