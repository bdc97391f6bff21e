namespace OtpAuth.Api.Otp;

/// <summary>
/// The Lua scripts that make each code rule one atomic step in Redis. They use only commands that Redis 7 and Garnet
/// (started with <c>--lua</c>) both have: GET, SET … EX, INCR, DECR, DEL, EXPIRE, PTTL, HGET, HSET, HINCRBY.
/// Expiries are set only when a key is created (INCR returning 1), so counters keep their original window.
/// </summary>
internal static class OtpScripts
{
    /// <summary>
    /// KEYS: cooldown, sends. ARGV: cooldown seconds, max sends per window, window seconds.
    /// Returns 0 when a send was reserved (cooldown started, hourly count incremented), else the milliseconds to wait.
    /// </summary>
    public const string ReserveSend = """
        local cooldown = redis.call('PTTL', KEYS[1])
        if cooldown > 0 then return cooldown end
        local sends = tonumber(redis.call('GET', KEYS[2]) or '0')
        if sends >= tonumber(ARGV[2]) then
          local window = redis.call('PTTL', KEYS[2])
          if window > 0 then return window end
          redis.call('EXPIRE', KEYS[2], ARGV[3])
          return tonumber(ARGV[3]) * 1000
        end
        if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]) end
        if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
        return 0
        """;

    /// <summary>
    /// KEYS: cooldown, sends, code. ARGV: the hash of the code that could not be delivered (or "").
    /// Gives back a reserved send after a failure, and removes the undelivered code unless a newer one replaced it.
    /// </summary>
    public const string ReleaseSend = """
        redis.call('DEL', KEYS[1])
        if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
        if ARGV[1] ~= '' and redis.call('HGET', KEYS[3], 'hash') == ARGV[1] then redis.call('DEL', KEYS[3]) end
        return 1
        """;

    /// <summary>KEYS: code. ARGV: code hash, lifetime seconds. Replaces any previous code (and its attempt count).</summary>
    public const string SaveCode = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'attempts', '0')
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: code, failures. ARGV: candidate hash, max attempts per code, max failures per window, window seconds.
    /// Returns {1, 0} verified (code consumed), {0, 0} wrong, {3, 0} no code (expired, used, never sent), {2, ms} too
    /// many failures. The API answers all but the first two alike; the distinction is for metrics only.
    /// </summary>
    /// <remarks>
    /// Compare, consume and count happen in one script, so N concurrent right answers give exactly one {1} and N
    /// concurrent wrong answers each count against MaxAttempts (a fetch-then-compare in .NET would let a burst of
    /// guesses all read the code before any was counted). The comparison visits every character without an early exit
    /// (the sum of differences), and it compares HMACs under a key the client never has, so even a timing difference
    /// could reveal nothing about the next guess. A failure is counted per address whether or not a code exists, and
    /// that count survives new codes; its window starts with the first failure.
    /// </remarks>
    public const string Verify = """
        local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
        if failures >= tonumber(ARGV[3]) then
          local ttl = redis.call('PTTL', KEYS[2])
          if ttl < 0 then
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            ttl = tonumber(ARGV[4]) * 1000
          end
          return {2, ttl}
        end
        local stored = redis.call('HGET', KEYS[1], 'hash')
        local candidate = ARGV[1]
        if stored and #stored == #candidate then
          local diff = 0
          for i = 1, #stored do
            diff = diff + math.abs(string.byte(stored, i) - string.byte(candidate, i))
          end
          if diff == 0 then
            redis.call('DEL', KEYS[1], KEYS[2])
            return {1, 0}
          end
        end
        if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
        if not stored then return {3, 0} end
        if redis.call('HINCRBY', KEYS[1], 'attempts', 1) >= tonumber(ARGV[2]) then
          redis.call('DEL', KEYS[1])
        end
        return {0, 0}
        """;
}
