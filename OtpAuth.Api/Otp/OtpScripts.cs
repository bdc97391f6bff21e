namespace OtpAuth.Api.Otp;

/// <summary>
/// The Lua scripts that make each code rule one atomic step in Redis. They use only commands that Redis 7 and Garnet
/// (started with <c>--lua</c>) both have: GET, SET … EX, INCR, DECR, DEL, EXPIRE, PTTL, HGET, HSET, HINCRBY.
/// Counters get their expiry only when they are created (INCR returning 1), so each keeps its window. Every key of one
/// call shares the address's hash tag, so a cluster keeps them in one slot.
/// </summary>
internal static class OtpScripts
{
    /// <summary>
    /// KEYS: cooldown (of the registration or account), the address's wrong codes in the current and the previous 30-day
    /// window, then send counters. ARGV: cooldown seconds, window seconds, wrong codes before long codes, then one limit
    /// per counter. Returns {0, long} when a send was reserved (cooldown started, every counter incremented), else
    /// {milliseconds to wait, long}; long is 1 when the address's codes of this purpose are long ones now. A refused send
    /// counts against nothing, so refusals buy no one a lock-out.
    /// </summary>
    public const string ReserveSend = """
        local long = 0
        if tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then long = 1 end
        local cooldown = redis.call('PTTL', KEYS[1])
        if cooldown > 0 then return {cooldown, long} end
        local wait = 0
        for i = 4, #KEYS do
          if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
            local ttl = redis.call('PTTL', KEYS[i])
            if ttl < 0 then
              redis.call('EXPIRE', KEYS[i], ARGV[2])
              ttl = tonumber(ARGV[2]) * 1000
            end
            if ttl > wait then wait = ttl end
          end
        end
        if wait > 0 then return {wait, long} end
        if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]) end
        for i = 4, #KEYS do
          if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
        end
        return {0, long}
        """;

    /// <summary>
    /// KEYS: cooldown, code, then send counters. ARGV: the hash of the code that could not be delivered (or "").
    /// Gives back a reserved send after a failure, and removes the undelivered code unless a newer one replaced it.
    /// </summary>
    public const string ReleaseSend = """
        redis.call('DEL', KEYS[1])
        if ARGV[1] ~= '' and redis.call('HGET', KEYS[2], 'hash') == ARGV[1] then redis.call('DEL', KEYS[2]) end
        for i = 3, #KEYS do
          if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
        end
        return 1
        """;

    /// <summary>
    /// KEYS: code, then optionally the address's wrong codes in the current and the previous 30-day window. ARGV: the
    /// short code's hash, the long code's hash, lifetime seconds, wrong codes before long codes. Replaces any previous code
    /// (and its attempt count) with the long code when the windows are given and their wrong codes reached the bound, else
    /// with the short one; returns 1 when it stored the long one.
    /// </summary>
    public const string SaveCode = """
        local long = #KEYS == 3 and tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[4])
        redis.call('DEL', KEYS[1])
        if long then
            redis.call('HSET', KEYS[1], 'hash', ARGV[2], 'attempts', '0', 'long', '1')
        else
            redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'attempts', '0')
        end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        if long then return 1 end
        return 0
        """;

    /// <summary>
    /// KEYS: code, the address's wrong codes in the current and the previous 30-day window, then the client's failure
    /// counters. ARGV: candidate hash, max attempts per code, wrong codes before long codes, the 30-day windows' lifetime
    /// in seconds, then for each client counter its limit and its window in seconds. Returns {1, 0} verified (code
    /// consumed), {0, 0} wrong, {3, 0} no code (expired, voided, never sent, or a short code once the address's wrong codes
    /// reached the bound), {4, 0} the right code again after it was used, {2, ms} a client budget is spent. The API answers
    /// all but {1} and {2} alike; the rest is for metrics and for what counts.
    /// </summary>
    /// <remarks>
    /// Budgets first, compare after: a spent budget refuses even the right code, or it would not bound guessing. Only the
    /// client's own networks have budgets that refuse: the address's count from every network together never locks
    /// anyone out, it makes the address's codes long, so guessing them is hopeless while the owner can still read and
    /// enter one. Compare, consume and count happen in one script, so N concurrent right answers give exactly one {1} and
    /// N concurrent wrong answers each count. The comparison visits every character without an early exit, and it
    /// compares HMACs under a key the client never has. A failure counts whether or not a code exists, and no new code
    /// resets the counters. A used code stays, marked, until its lifetime ends: the same right code again (a double
    /// submit, a retried request) is refused without counting as a guess.
    /// </remarks>
    public const string Verify = """
        local wait = -1
        for i = 4, #KEYS do
          if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[2 * i - 3]) then
            local ttl = redis.call('PTTL', KEYS[i])
            if ttl < 0 then
              redis.call('EXPIRE', KEYS[i], ARGV[2 * i - 2])
              ttl = tonumber(ARGV[2 * i - 2]) * 1000
            end
            if ttl > wait then wait = ttl end
          end
        end
        if wait >= 0 then return {2, wait} end
        local stored = redis.call('HGET', KEYS[1], 'hash')
        local guessed = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(redis.call('GET', KEYS[3]) or '0')
        if stored and guessed >= tonumber(ARGV[3]) and not redis.call('HGET', KEYS[1], 'long') then stored = false end
        local candidate = ARGV[1]
        if stored and #stored == #candidate then
          local diff = 0
          for i = 1, #stored do
            diff = diff + math.abs(string.byte(stored, i) - string.byte(candidate, i))
          end
          if diff == 0 then
            if redis.call('HGET', KEYS[1], 'used') then return {4, 0} end
            redis.call('HSET', KEYS[1], 'used', '1')
            return {1, 0}
          end
        end
        for i = 4, #KEYS do
          if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i - 2]) end
        end
        if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
        if not stored then return {3, 0} end
        if redis.call('HINCRBY', KEYS[1], 'attempts', 1) >= tonumber(ARGV[2]) then
          redis.call('DEL', KEYS[1])
        end
        return {0, 0}
        """;

    /// <summary>
    /// KEYS: code. ARGV: the hash of the code that was verified. Makes a code that was consumed usable again, when the
    /// action it was consumed for could not be done (the request answered 503) and it is still the subject's code.
    /// </summary>
    public const string GiveBackCode = """
        if redis.call('HGET', KEYS[1], 'hash') == ARGV[1] then redis.call('HDEL', KEYS[1], 'used') end
        return 1
        """;

    /// <summary>KEYS: code. ARGV: the hash of the code to void. Voids it unless a newer code replaced it.</summary>
    public const string RevokeCode = """
        if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'hash') == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """;
}
