using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OtpAuth.Api.Mfa;

/// <summary>
/// Consecutive wrong second-factor codes per account (TOTP and recovery codes together), in Redis: past
/// <see cref="MfaOptions.MaxConsecutiveFailures"/> every try is refused until the count is forgotten
/// (<see cref="MfaOptions.FailureMemoryHours"/> after the last failure); a right code clears it.
/// </summary>
public sealed class MfaFailures(IConnectionMultiplexer redis, IOptions<MfaOptions> options)
{
    private static RedisKey KeyOf(Guid userId) => $"otpauth:user:{userId:N}:mfa-failures";

    /// <summary>How long the account must wait, or zero when it may try.</summary>
    public async Task<TimeSpan> RefusalAsync(Guid userId)
    {
        var database = redis.GetDatabase();
        var count = await database.StringGetAsync(KeyOf(userId));
        if (count.IsNull || (long)count < options.Value.MaxConsecutiveFailures)
        {
            return TimeSpan.Zero;
        }

        return await database.KeyTimeToLiveAsync(KeyOf(userId)) ?? TimeSpan.FromHours(options.Value.FailureMemoryHours);
    }

    public async Task FailedAsync(Guid userId)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.StringIncrementAsync(KeyOf(userId));
        _ = transaction.KeyExpireAsync(KeyOf(userId), TimeSpan.FromHours(options.Value.FailureMemoryHours));
        await transaction.ExecuteAsync();
    }

    public Task SucceededAsync(Guid userId) => redis.GetDatabase().KeyDeleteAsync(KeyOf(userId));
}
