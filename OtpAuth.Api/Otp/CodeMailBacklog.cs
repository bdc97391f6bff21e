using System.Text.Json;
using OtpAuth.Api.Security;
using StackExchange.Redis;

namespace OtpAuth.Api.Otp;

/// <summary>
/// One request waiting for its code mail ("forgot password", "email me a code"): the code's subject (whose address is
/// the recipient, if it has a verified account), the mail to send, and the client networks its send was reserved for.
/// </summary>
public sealed record CodeMailJob(CodeSubject Subject, Email.MailKind Kind, IReadOnlyList<ClientNetwork> Client);

/// <summary>
/// The code requests that must not tell an account from none (forgot password, sign-in by code) between the answer and
/// the mail, as a Redis list: the request path does the same work for every address (reserve, enqueue), and only the
/// worker learns whether an account exists. In Redis, not in memory,
/// so an Api restart loses none (any replica's worker takes them); a Redis restart loses them with the codes. Each
/// enqueue also publishes on a channel, so the workers wake at once instead of polling the list.
/// </summary>
/// <remarks>
/// One list per deployment (its token issuer): Apis of other configurations sharing the Redis (as the test variants do)
/// must not send this deployment's mails with their own code lifetime.
/// </remarks>
public sealed class CodeMailBacklog(IConnectionMultiplexer redis, OtpHasher ids, Microsoft.Extensions.Options.IOptions<Tokens.JwtOptions> jwt)
{
    private string Key => $"otpauth:queue:code-mails:{ids.OpaqueId("issuer", jwt.Value.Issuer)}";

    private RedisChannel Enqueued => RedisChannel.Literal(Key + ":enqueued");

    /// <summary>
    /// Adds the job and tells the workers. The message follows the push on the same connection, unawaited: once the job
    /// is in the list the request has succeeded, and a message that is lost only leaves the job to the workers' poll.
    /// </summary>
    public async Task EnqueueAsync(CodeMailJob job)
    {
        var database = redis.GetDatabase();
        var push = database.ListLeftPushAsync(Key, JsonSerializer.Serialize(job));
        await database.PublishAsync(Enqueued, RedisValue.EmptyString, CommandFlags.FireAndForget);
        await push;
    }

    /// <summary>
    /// Calls <paramref name="onEnqueued"/> whenever some replica enqueues a job. Call it once: StackExchange.Redis keeps
    /// the subscription (registered even when this throws because Redis is not there yet) and makes it again on every
    /// connect. A message sent while it was away is lost, which the worker's slow poll covers.
    /// </summary>
    public Task SubscribeAsync(Action onEnqueued) => redis.GetSubscriber().SubscribeAsync(Enqueued, (_, _) => onEnqueued());

    /// <summary>The oldest job, if any; it is the caller's from here on.</summary>
    public async Task<CodeMailJob?> TakeAsync()
    {
        var value = await redis.GetDatabase().ListRightPopAsync(Key);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<CodeMailJob>(value.ToString());
    }

    /// <summary>Puts a job back at the head of the line (it could not be done now).</summary>
    public Task ReturnAsync(CodeMailJob job) => redis.GetDatabase().ListRightPushAsync(Key, JsonSerializer.Serialize(job));
}
