namespace OtpAuth.Bcrypt;

/// <summary>
/// bcrypt (<c>$2a$/$2b$/$2y$</c>, as OpenBSD and BCrypt.Net-Next compute it) of one key, or of several keys at once on
/// one thread. One bcrypt is a single chain of Blowfish rounds, each waiting on the S-box loads of the one before, so a
/// core spends much of its time idle between them; the chains of other keys are independent and fill those gaps. Up to
/// <see cref="MaxLanes"/> keys go together; the hashes are the same as computed alone.
/// </summary>
public static class InterleavedBcrypt
{
    /// <summary>The most keys one thread computes in step.</summary>
    public const int MaxLanes = 4;

    /// <summary>The hash of <paramref name="key"/> under <paramref name="setting"/>: the setting's 29 characters and 31 more.</summary>
    public static string Hash(string key, BcryptSetting setting) => EksBlowfish.Hash([key], [setting])[0];

    /// <summary>
    /// The hashes of <paramref name="keys"/> under <paramref name="settings"/> (all of one cost), in order: four at a
    /// time, then the rest as two or one (three go as four, the fourth lane repeating the third).
    /// </summary>
    public static string[] Hash(IReadOnlyList<string> keys, IReadOnlyList<BcryptSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(settings);
        if (keys.Count != settings.Count || settings.Any(setting => setting.Cost != settings[0].Cost))
        {
            throw new ArgumentException("Each key needs its setting, and keys computed together must share their cost.", nameof(settings));
        }

        var hashes = new string[keys.Count];
        var done = 0;
        while (done < keys.Count)
        {
            var remaining = keys.Count - done;
            var lanes = remaining switch { 1 => 1, 2 => 2, _ => MaxLanes };
            var taken = Math.Min(lanes, remaining);
            var laneKeys = new string[lanes];
            var laneSettings = new BcryptSetting[lanes];
            for (var lane = 0; lane < lanes; lane++)
            {
                var index = done + Math.Min(lane, taken - 1);
                laneKeys[lane] = keys[index];
                laneSettings[lane] = settings[index];
            }

            EksBlowfish.Hash(laneKeys, laneSettings).AsSpan(0, taken).CopyTo(hashes.AsSpan(done));
            done += taken;
        }

        return hashes;
    }
}
