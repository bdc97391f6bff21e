using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Otp;
using StackExchange.Redis;

namespace OtpAuth.Api.Login;

/// <summary>The <c>Login</c> section: how wrong passwords for one account slow down, then stop, further tries.</summary>
public sealed class LoginOptions
{
    public const string SectionName = "Login";

    /// <summary>Consecutive wrong passwords answered at once; every try after these waits (typos cost nothing).</summary>
    [Range(1, 100, ErrorMessage = "Login:FreeFailures must be between 1 and 100.")]
    public int FreeFailures { get; set; } = 5;

    /// <summary>The wait after the first failure past <see cref="FreeFailures"/>; it doubles with each further one.</summary>
    [Range(1, 86_400, ErrorMessage = "Login:BaseDelaySeconds must be between 1 and 86400.")]
    public int BaseDelaySeconds { get; set; } = 30;

    /// <summary>The longest wait between two tries, however many failures came before.</summary>
    [Range(1, 86_400, ErrorMessage = "Login:MaxDelaySeconds must be between 1 and 86400.")]
    public int MaxDelaySeconds { get; set; } = 900;

    /// <summary>
    /// Consecutive failures after which the account takes no more tries until the count is forgotten (NIST SP 800-63B:
    /// no more than 100).
    /// </summary>
    [Range(1, 100, ErrorMessage = "Login:MaxConsecutiveFailures must be between 1 and 100 (NIST SP 800-63B).")]
    public int MaxConsecutiveFailures { get; set; } = 100;

    /// <summary>How long the failure count is kept after the last failure; a success clears it at once.</summary>
    [Range(1, 8_760, ErrorMessage = "Login:FailureMemoryHours must be between 1 and 8760.")]
    public int FailureMemoryHours { get; set; } = 24;

    /// <summary>
    /// How long a client network that logged in to an account keeps its own failure count for that account, so a
    /// stranger's failures elsewhere cannot lock the owner out where they usually log in (NIST SP 800-63B's
    /// "allowlisted addresses the subscriber has authenticated from").
    /// </summary>
    [Range(0, 365, ErrorMessage = "Login:KnownClientDays must be between 0 and 365.")]
    public int KnownClientDays { get; set; } = 30;
}

/// <summary>A try that may go on (and was counted as a failure until it succeeds), or how long to wait.</summary>
public readonly record struct LoginAttempt(bool Allowed, TimeSpan RetryAfter, long ConsecutiveFailures, string Scope);

/// <summary>
/// Per-account throttling of password tries, in Redis so replicas share it, keyed on the normalized address whether or
/// not it has an account (so a 429 says nothing about existence).
/// <para>
/// Each try is counted as a failure before the password is checked and the count is cleared when it matches, so a burst
/// of concurrent guesses cannot all slip in before any is counted. After <see cref="LoginOptions.FreeFailures"/>
/// failures every further try first waits <c>BaseDelaySeconds × 2^k</c> (capped at <c>MaxDelaySeconds</c>); at
/// <c>MaxConsecutiveFailures</c> the account takes no tries until the count expires, <c>FailureMemoryHours</c> after
/// the last failure. A client network that logged in to the account within <c>KnownClientDays</c> has a count of its
/// own, so the owner is not locked out by a stranger's guesses from elsewhere.
/// </para>
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, OtpHasher hasher, IOptions<LoginOptions> options)
{
    /// <summary>
    /// KEYS: known-client marker, the account's failures and lock, this client's failures and lock, the account's
    /// known-client epoch. ARGV: free failures, base delay ms, max delay ms, max consecutive, memory seconds, whether
    /// known clients count apart (1/0). The client's own count applies when it is a known client of the account (its
    /// marker holds the account's current epoch), else the account's: decided in the script, so a try is one round trip.
    /// Returns {0, wait ms, failures, scope} when locked, {1, 0, failures, scope} when the try may go on (already
    /// counted); scope 1 is the client's own count.
    /// </summary>
    private const string BeginScript = """
        local failures_key, lock_key, scope = KEYS[2], KEYS[3], 0
        if ARGV[6] == '1' then
          local marker = redis.call('GET', KEYS[1])
          if marker and marker == redis.call('GET', KEYS[6]) then
            failures_key, lock_key, scope = KEYS[4], KEYS[5], 1
          end
        end
        local wait = redis.call('PTTL', lock_key)
        if wait > 0 then return {0, wait, tonumber(redis.call('GET', failures_key) or '0'), scope} end
        local failures = redis.call('INCR', failures_key)
        redis.call('EXPIRE', failures_key, ARGV[5])
        local free = tonumber(ARGV[1])
        if failures >= tonumber(ARGV[4]) then
          redis.call('SET', lock_key, '1', 'EX', ARGV[5])
        elseif failures >= free then
          local delay = tonumber(ARGV[2]) * (2 ^ math.min(failures - free, 30))
          delay = math.min(delay, tonumber(ARGV[3]))
          redis.call('SET', lock_key, '1', 'PX', math.floor(delay))
        end
        return {1, 0, failures, scope}
        """;

    /// <summary>
    /// KEYS: failures, lock. Takes back one counted failure and the lock it may have set: the try that passed
    /// <see cref="BeginScript"/> found no lock, so any lock now is that try's own.
    /// </summary>
    private const string GiveBackScript = """
        if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
        redis.call('DEL', KEYS[2])
        return 1
        """;

    /// <summary>
    /// KEYS: the account's failures and lock, this client's failures and lock, known-client marker, the account's
    /// known-client epoch. ARGV: how long the marker lasts in seconds (0: known clients are not remembered), an epoch
    /// for an account that has none. The marker holds the epoch, which lives as long as the newest marker, so deleting
    /// the epoch (<see cref="PasswordReplacedScript"/>) unmakes every marker at once. One round trip.
    /// </summary>
    private const string SucceededScript = """
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        if tonumber(ARGV[1]) > 0 then
          local epoch = redis.call('GET', KEYS[6]) or ARGV[2]
          redis.call('SET', KEYS[6], epoch, 'EX', ARGV[1])
          redis.call('SET', KEYS[5], epoch, 'EX', ARGV[1])
        end
        return 1
        """;

    /// <summary>KEYS: the account's failures and lock, its known-client epoch. Forgives the account's failures and forgets every known client.</summary>
    private const string PasswordReplacedScript = """
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
        return 1
        """;

    private LoginOptions Rules => options.Value;

    /// <summary>Either refuses the try (locked) or counts it as a failure, to be cleared by <see cref="SucceededAsync"/>.</summary>
    public async Task<LoginAttempt> BeginAsync(string email, string client)
    {
        var keys = KeysFor(email, client);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            BeginScript,
            [keys.KnownClient, keys.AccountFailures, keys.AccountLock, keys.ClientFailures, keys.ClientLock, keys.KnownEpoch],
            [Rules.FreeFailures, Rules.BaseDelaySeconds * 1000L, Rules.MaxDelaySeconds * 1000L,
             Rules.MaxConsecutiveFailures, Rules.FailureMemoryHours * 3600L, Rules.KnownClientDays > 0 ? 1 : 0]))!;
        var scope = (long)result[3] == 1 ? "known-client" : "account";
        return new LoginAttempt((long)result[0] == 1, TimeSpan.FromMilliseconds((long)result[1]), (long)result[2], scope);
    }

    /// <summary>
    /// The account's password matched and a session begins: forget the failures (of the account and of this client) and
    /// remember the client. Only a real sign-in of the account may call this: a password matching a pending registration
    /// proves nothing about the account.
    /// </summary>
    public async Task SucceededAsync(string email, string client)
    {
        var keys = KeysFor(email, client);
        await redis.GetDatabase().ScriptEvaluateAsync(
            SucceededScript,
            [keys.AccountFailures, keys.AccountLock, keys.ClientFailures, keys.ClientLock, keys.KnownClient, keys.KnownEpoch],
            [Rules.KnownClientDays * 86_400L, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))]);
    }

    /// <summary>
    /// The password was replaced (reset by code, or changed): the account's failures are forgiven and no network is known
    /// any more, so a network that signed in with the old password counts with strangers until it signs in again.
    /// </summary>
    public async Task PasswordReplacedAsync(string email)
    {
        var keys = KeysFor(email, "");
        await redis.GetDatabase().ScriptEvaluateAsync(PasswordReplacedScript, [keys.AccountFailures, keys.AccountLock, keys.KnownEpoch]);
    }

    /// <summary>
    /// The try was not a guess at the account's password: the hashing gate refused it with 503 (a flood that fills the
    /// gate must not throttle the owner's account for them), or the password matched a pending registration (which
    /// neither counts against the account nor clears what others counted).
    /// </summary>
    public async Task GiveBackAsync(string email, string client, LoginAttempt attempt)
    {
        var keys = KeysFor(email, client);
        RedisKey[] counted = attempt.Scope == "known-client" ? [keys.ClientFailures, keys.ClientLock] : [keys.AccountFailures, keys.AccountLock];
        await redis.GetDatabase().ScriptEvaluateAsync(GiveBackScript, counted);
    }

    /// <summary>
    /// One address's keys share its hash tag, so a script may touch them all on a Redis Cluster too. The client's are
    /// keyed on an opaque id of its network, never the address itself.
    /// </summary>
    private ThrottleKeys KeysFor(string email, string client)
    {
        var address = $"otpauth:{{{hasher.AddressKey(email)}}}";
        var network = hasher.OpaqueId("ip", client);
        return new ThrottleKeys(
            $"{address}:login:failures", $"{address}:login:lock",
            $"{address}:login:{network}:failures", $"{address}:login:{network}:lock",
            $"{address}:known-client:{network}", $"{address}:known-client-epoch");
    }

    private readonly record struct ThrottleKeys(
        RedisKey AccountFailures, RedisKey AccountLock, RedisKey ClientFailures, RedisKey ClientLock, RedisKey KnownClient, RedisKey KnownEpoch);
}
