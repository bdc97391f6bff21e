using Microsoft.Extensions.Options;
using OtpAuth.Api.RateLimiting;
using OtpAuth.Api.Security;
using StackExchange.Redis;

namespace OtpAuth.Api.Otp;

/// <summary>
/// Whether a code may be sent now, and if not, how long the client should wait; and whether the address's codes of this
/// purpose are long ones now (<see cref="OtpOptions.MaxFailuresBeforeLongCodes"/>).
/// </summary>
public readonly record struct SendReservation(bool Reserved, TimeSpan RetryAfter, bool LongCodes);

public enum OtpCheck
{
    /// <summary>The code was right; it is consumed and cannot be used again.</summary>
    Verified,

    /// <summary>Wrong, expired, already used, or no code: callers cannot tell which, by design.</summary>
    Invalid,

    /// <summary>A failure budget of the address from one of this client's networks is spent.</summary>
    Locked,

    /// <summary>
    /// No code (expired, voided, never sent, or a short one once the address's codes are long): answered as
    /// <see cref="Invalid"/>, told apart for metrics.
    /// </summary>
    NoCode,

    /// <summary>
    /// The right code of a code already used: answered as <see cref="Invalid"/>, but counted against no budget, since
    /// whoever sends it knew the code (a double submit, a retry) and guessed nothing.
    /// </summary>
    Used,
}

public readonly record struct OtpCheckResult(OtpCheck Outcome, TimeSpan RetryAfter);

/// <summary>
/// One-time codes and their budgets in Redis. A code belongs to one purpose and one subject (a pending registration, an
/// account) of one address; budgets belong to the address, split by the client networks asking
/// (<see cref="ClientAddress.NetworksOf(System.Net.IPAddress?)"/>), so that one stranger cannot spend the owner's share.
/// The wrong codes from every network together are counted per 30-day window: once they reach
/// <see cref="OtpOptions.MaxFailuresBeforeLongCodes"/> within two windows, the address's codes of that purpose are long
/// (docs/security.md, "Guessing codes"). Key names carry no email and no IP: both are HMAC'd. Under the address's hash tag
/// <c>otpauth:{address}:&lt;purpose&gt;:</c> live <c>&lt;subject&gt;:code</c> (hash of the code, attempts, whether it is
/// long; TTL = lifetime), <c>&lt;subject&gt;:cooldown</c>, <c>sends[:network]</c> (1 h), <c>failures:&lt;window&gt;:network</c>
/// and <c>guesses:&lt;30-day window number&gt;</c>.
/// </summary>
public sealed class OtpStore(
    IConnectionMultiplexer redis, OtpHasher hasher, IOptions<OtpOptions> options, IOptions<RateLimitOptions> networks, TimeProvider clock)
{
    private const int HourSeconds = 3600;
    private const int DaySeconds = 86_400;
    private const int ThirtyDaysSeconds = 30 * DaySeconds;

    private OtpOptions Rules => options.Value;

    /// <summary>Takes a send from the subject's cooldown and from the address's send budgets for this client.</summary>
    public async Task<SendReservation> TryReserveSendAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client)
    {
        var keys = KeysFor(subject);
        var counters = SendCounters(keys, client);
        var (current, previous) = GuessWindows(keys);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            OtpScripts.ReserveSend,
            [keys.Cooldown, current, previous, .. counters.Select(c => c.Key)],
            [Rules.ResendCooldownSeconds, HourSeconds, Rules.MaxFailuresBeforeLongCodes, .. counters.Select(c => (RedisValue)c.Limit)]))!;
        var waitMs = (long)result[0];
        return new SendReservation(waitMs == 0, TimeSpan.FromMilliseconds(waitMs), (long)result[1] == 1);
    }

    /// <summary>Gives a reserved send back after the code could not be delivered, removing that undelivered code.</summary>
    public async Task ReleaseSendAsync(CodeSubject subject, IReadOnlyList<ClientNetwork> client, string? undeliveredCodeHash)
    {
        var keys = KeysFor(subject);
        await Database.ScriptEvaluateAsync(
            OtpScripts.ReleaseSend,
            [keys.Cooldown, keys.Code, .. SendCounters(keys, client).Select(c => c.Key)],
            [undeliveredCodeHash ?? ""]);
    }

    /// <summary>
    /// Stores a new code for the subject, replacing (voiding) its previous one, for <paramref name="lifetime"/>
    /// (<see cref="OtpOptions.ExpireSeconds"/> unless given): <paramref name="shortCode"/>, or <paramref name="longCode"/>
    /// once the address's wrong codes of this purpose reached the bound, decided where it is stored (one round trip, and no
    /// guess between a look at the count and the store can leave the owner a short code the check would refuse).
    /// Returns the code stored and its hash.
    /// </summary>
    public async Task<(string Code, string Hash)> SaveNewCodeAsync(CodeSubject subject, string shortCode, string longCode, TimeSpan? lifetime = null)
    {
        var keys = KeysFor(subject);
        var (current, previous) = GuessWindows(keys);
        var shortHash = hasher.HashCode(subject, shortCode);
        var longHash = hasher.HashCode(subject, longCode);
        var stored = await Database.ScriptEvaluateAsync(
            OtpScripts.SaveCode,
            [keys.Code, current, previous],
            [shortHash, longHash, LifetimeSeconds(lifetime), Rules.MaxFailuresBeforeLongCodes]);
        return (long)stored == 1 ? (longCode, longHash) : (shortCode, shortHash);
    }

    /// <summary>Stores <paramref name="code"/> for the subject as it is, replacing (voiding) its previous one; returns its hash.</summary>
    public async Task<string> SaveCodeAsync(CodeSubject subject, string code, TimeSpan? lifetime = null)
    {
        var hash = hasher.HashCode(subject, code);
        await Database.ScriptEvaluateAsync(OtpScripts.SaveCode, [KeysFor(subject).Code], [hash, hash, LifetimeSeconds(lifetime), 0]);
        return hash;
    }

    private long LifetimeSeconds(TimeSpan? lifetime) => lifetime is { } given ? (long)Math.Ceiling(given.TotalSeconds) : Rules.ExpireSeconds;

    /// <summary>Voids the subject's code, if any (the failure counts stay: a new code never resets them).</summary>
    public Task RevokeCodeAsync(CodeSubject subject) => Database.KeyDeleteAsync(KeysFor(subject).Code);

    /// <summary>Voids the subject's code if it is still the one with <paramref name="codeHash"/> (a newer one stays).</summary>
    public Task RevokeCodeAsync(CodeSubject subject, string? codeHash) =>
        Database.ScriptEvaluateAsync(OtpScripts.RevokeCode, [KeysFor(subject).Code], [codeHash ?? ""]);

    /// <summary>A code that <see cref="CheckAsync"/> consumed may be used again: what it was for could not be done.</summary>
    public Task GiveBackAsync(CodeSubject subject, string code) =>
        Database.ScriptEvaluateAsync(OtpScripts.GiveBackCode, [KeysFor(subject).Code], [hasher.HashCode(subject, code)]);

    public async Task<OtpCheckResult> CheckAsync(CodeSubject subject, string code, IReadOnlyList<ClientNetwork> client)
    {
        var keys = KeysFor(subject);
        var counters = FailureCounters(keys, client);
        var (current, previous) = GuessWindows(keys);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            OtpScripts.Verify,
            [keys.Code, current, previous, .. counters.Select(c => c.Key)],
            [hasher.HashCode(subject, code), Rules.MaxAttempts, Rules.MaxFailuresBeforeLongCodes, 2 * ThirtyDaysSeconds,
             .. counters.SelectMany(c => new RedisValue[] { c.Limit, c.WindowSeconds })]))!;
        var outcome = (long)result[0] switch
        {
            1 => OtpCheck.Verified,
            2 => OtpCheck.Locked,
            3 => OtpCheck.NoCode,
            4 => OtpCheck.Used,
            _ => OtpCheck.Invalid,
        };
        return new OtpCheckResult(outcome, TimeSpan.FromMilliseconds((long)result[1]));
    }

    private IDatabase Database => redis.GetDatabase();

    private List<Counter> SendCounters(SubjectKeys keys, IReadOnlyList<ClientNetwork> client) =>
    [
        new(keys.Prefix + "sends", Rules.MaxSendsPerAddressPerHour, HourSeconds),
        .. client.Select(n => new Counter($"{keys.Prefix}sends:{NetworkId(n)}", networks.Value.Scale(Rules.MaxSendsPerHour, n.Size), HourSeconds)),
    ];

    private List<Counter> FailureCounters(SubjectKeys keys, IReadOnlyList<ClientNetwork> client)
    {
        var counters = new List<Counter>();
        foreach (var network in client)
        {
            var id = NetworkId(network);
            counters.Add(new($"{keys.Prefix}failures:hour:{id}", networks.Value.Scale(Rules.MaxFailuresPerHour, network.Size), HourSeconds));
            counters.Add(new($"{keys.Prefix}failures:day:{id}", networks.Value.Scale(Rules.MaxFailuresPerDay, network.Size), DaySeconds));
            counters.Add(new($"{keys.Prefix}failures:30d:{id}", networks.Value.Scale(Rules.MaxFailuresPer30Days, network.Size), ThirtyDaysSeconds));
        }

        return counters;
    }

    private string NetworkId(ClientNetwork network) => hasher.OpaqueId("ip", network.Key);

    /// <summary>
    /// The address's wrong-code counters of the current and the previous 30-day window (numbered from the Unix epoch).
    /// Any 30 days lie within two consecutive windows, and a short code is checked only while the two together are below
    /// the bound, so no 30 days see more short-code guesses than the bound.
    /// </summary>
    private (RedisKey Current, RedisKey Previous) GuessWindows(SubjectKeys keys)
    {
        var window = clock.GetUtcNow().ToUnixTimeSeconds() / ThirtyDaysSeconds;
        return ($"{keys.Prefix}guesses:{window}", $"{keys.Prefix}guesses:{window - 1}");
    }

    private SubjectKeys KeysFor(CodeSubject subject)
    {
        var prefix = $"otpauth:{{{hasher.AddressKey(subject.Email)}}}:{subject.Purpose.KeyName()}:";
        return new SubjectKeys(prefix, $"{prefix}{subject.Id:N}:code", $"{prefix}{subject.Id:N}:cooldown");
    }

    private readonly record struct SubjectKeys(string Prefix, RedisKey Code, RedisKey Cooldown);

    private readonly record struct Counter(string Key, int Limit, int WindowSeconds);
}

/// <summary>
/// What a code is for: a purpose, the registration or account it belongs to, and its (normalized) address; and, for a
/// subject whose one live code serves one request at a time (a sign-in), that request's id, <paramref name="Flow"/>: the
/// code is then worth nothing with any other.
/// </summary>
public readonly record struct CodeSubject(CodePurpose Purpose, Guid Id, string Email, Guid Flow = default);
