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
    public static string Hash(string key, BcryptSetting setting) => Hash([key], [setting])[0];

    /// <summary>
    /// The hashes of <paramref name="keys"/> under <paramref name="settings"/> (of any costs), in order: up to
    /// <see cref="MaxLanes"/> at a time in step, each next key taking the lane of the first to finish.
    /// </summary>
    public static string[] Hash(IReadOnlyList<string> keys, IReadOnlyList<BcryptSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(settings);
        if (keys.Count != settings.Count)
        {
            throw new ArgumentException("Each key needs its setting.", nameof(settings));
        }

        var hashes = new string[keys.Count];
        var finished = new List<(object Tag, string Hash)>(MaxLanes);
        using var lanes = new BcryptLanes(Math.Clamp(keys.Count, 1, MaxLanes));
        var next = 0;
        while (next < keys.Count || lanes.Count > 0)
        {
            for (; next < keys.Count && lanes.Count < lanes.Capacity; next++)
            {
                lanes.Add(keys[next], settings[next], next);
            }

            lanes.Step(finished);
            foreach (var (tag, hash) in finished)
            {
                hashes[(int)tag] = hash;
            }

            finished.Clear();
        }

        return hashes;
    }
}
