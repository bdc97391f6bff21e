using System.Security.Cryptography;

namespace OtpAuth.Api.Passwords.Bcrypt;

/// <summary>
/// Computes bcrypt hashes: one at a time with the system's libxcrypt (<see cref="NativeBcrypt"/>, else BCrypt.Net-Next),
/// several at once with <see cref="InterleavedBcrypt"/> when callers are waiting together. The interleaved code is
/// trusted only after it agreed with the one-at-a-time implementation on every lane at start; otherwise every hash is
/// computed alone, as before it existed.
/// </summary>
internal static class BcryptEngine
{
    /// <summary>
    /// The self-test runs when hashes first wait together, not at start: a dozen Api processes starting at once on two
    /// cores are contended enough already (a start-up health check timed out when each also ran it at start).
    /// </summary>
    private static readonly Lazy<int> Lanes = new(() => InterleavedAgrees() ? 4 : 1);

    /// <summary>How many hashes one thread computes at once: 4, or 1 when the interleaved code failed its self-test.</summary>
    public static int MaxLanes => Lanes.Value;

    /// <summary>"libxcrypt" or "BCrypt.Net-Next": which implementation computes a hash that has no company.</summary>
    public static string Implementation => NativeBcrypt.IsAvailable ? "libxcrypt" : "BCrypt.Net-Next";

    /// <summary>The hash of <paramref name="key"/> under <paramref name="setting"/>, "$2?$NN$" + salt + 31 characters.</summary>
    public static string Compute(string key, BcryptSetting setting) =>
        NativeBcrypt.IsAvailable
            ? NativeBcrypt.Crypt(key, setting.Text) ?? throw new CryptographicException("libxcrypt refused a setting it had been checked to take.")
            : BCrypt.Net.BCrypt.HashPassword(key, setting.Text);

    /// <summary>
    /// The hashes of several keys of one cost, in order: interleaved two or four at a time (three run as four, the
    /// fourth lane repeating the third), one alone as <see cref="Compute(string, BcryptSetting)"/>.
    /// </summary>
    public static string[] Compute(IReadOnlyList<string> keys, IReadOnlyList<BcryptSetting> settings)
    {
        var hashes = new string[keys.Count];
        var done = 0;
        while (done < keys.Count)
        {
            var remaining = keys.Count - done;
            var lanes = remaining == 1 || MaxLanes == 1 ? 1 : remaining == 2 ? 2 : 4;
            if (lanes == 1)
            {
                hashes[done] = Compute(keys[done], settings[done]);
                done++;
                continue;
            }

            var taken = Math.Min(lanes, remaining);
            var laneKeys = new string[lanes];
            var laneSettings = new BcryptSetting[lanes];
            for (var lane = 0; lane < lanes; lane++)
            {
                var index = done + Math.Min(lane, taken - 1);
                laneKeys[lane] = keys[index];
                laneSettings[lane] = settings[index];
            }

            InterleavedBcrypt.Compute(laneKeys, laneSettings).AsSpan(0, taken).CopyTo(hashes.AsSpan(done));
            done += taken;
        }

        return hashes;
    }

    /// <summary>Four different keys and salts at cost 4, two lanes and four, against the one-at-a-time implementation.</summary>
    private static bool InterleavedAgrees()
    {
        try
        {
            var keys = new[] { "OtpAuth interleaved self-test", "a second key", new string('k', InterleavedBcrypt.MaxKeyBytes), "4" };
            var settings = keys.Select(_ => BcryptSetting.Create(4, RandomNumberGenerator.GetBytes(BcryptSetting.SaltBytes))).ToArray();
            var expected = keys.Select((key, i) => Compute(key, settings[i])).ToArray();
            return InterleavedBcrypt.Compute(keys, settings).SequenceEqual(expected)
                && InterleavedBcrypt.Compute(keys.AsSpan(0, 2), settings.AsSpan(0, 2)).AsSpan().SequenceEqual(expected.AsSpan(0, 2));
        }
        catch (Exception)
        {
            return false; // whatever went wrong, one at a time still works
        }
    }
}
