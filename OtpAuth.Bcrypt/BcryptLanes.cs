using System.Runtime.InteropServices;

namespace OtpAuth.Bcrypt;

/// <summary>
/// Up to <see cref="Capacity"/> bcrypt computations of one thread, in step: each <see cref="Step"/> runs one round of
/// the key schedule for every lane at once. A key joins at any step (<see cref="Add"/>) and leaves at the step that
/// ends its own rounds, so keys of different costs, and a key that arrives while others are halfway, share the lanes:
/// a thread never waits for a whole batch to end before it takes the next key. Not thread-safe: one per thread.
/// The lanes hold key schedules and key words, secrets, and are wiped as each key leaves and on dispose.
/// </summary>
public sealed unsafe class BcryptLanes : IDisposable
{
    private readonly uint* _state;
    private readonly uint* _keyWords;
    private readonly uint* _saltWords;
    private readonly long[] _roundsLeft;
    private readonly BcryptSetting?[] _settings;
    private readonly object?[] _tags;
    private bool _disposed;

    /// <param name="capacity">1, 2 or <see cref="InterleavedBcrypt.MaxLanes"/> (3 is computed as 4, the fourth lane idle).</param>
    public BcryptLanes(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, InterleavedBcrypt.MaxLanes);
        Capacity = capacity;
        // Room for four lanes whatever the capacity, so three lanes run as four with an idle, zeroed fourth.
        var lanes = InterleavedBcrypt.MaxLanes;
        _state = (uint*)NativeMemory.AllocZeroed((nuint)(lanes * BlowfishPi.StateWords), sizeof(uint));
        _keyWords = (uint*)NativeMemory.AllocZeroed((nuint)(lanes * BlowfishPi.PWords), sizeof(uint));
        _saltWords = (uint*)NativeMemory.AllocZeroed((nuint)(lanes * BlowfishPi.PWords), sizeof(uint));
        _roundsLeft = new long[lanes];
        _settings = new BcryptSetting?[lanes];
        _tags = new object?[lanes];
    }

    public int Capacity { get; }

    /// <summary>The keys being computed.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Starts computing <paramref name="key"/> under <paramref name="setting"/> in a free lane; <paramref name="tag"/> comes
    /// back with its hash from the <see cref="Step"/> that ends it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every lane is taken.</exception>
    /// <exception cref="ArgumentException">The key has a NUL or a lone surrogate (no lane is taken).</exception>
    public void Add(string key, BcryptSetting setting, object tag)
    {
        if (Count == Capacity)
        {
            throw new InvalidOperationException("Every lane is taken.");
        }

        var keyBytes = EksBlowfish.KeyBytes(key);
        var lane = Count;
        EksBlowfish.Begin(State(lane), keyBytes, setting.Salt, Words(_keyWords, lane), Words(_saltWords, lane));
        Array.Clear(keyBytes);
        _roundsLeft[lane] = 1L << setting.Cost;
        _settings[lane] = setting;
        _tags[lane] = tag;
        Count++;
    }

    /// <summary>
    /// One round of every lane's key schedule; each key whose rounds are now done leaves its lane and is added to
    /// <paramref name="finished"/> with its hash (the setting's 29 characters and 31 more).
    /// </summary>
    public void Step(ICollection<(object Tag, string Hash)> finished)
    {
        switch (Count)
        {
            case 0:
                return;
            case 1:
                EksBlowfish.Round1(_state, _keyWords, _saltWords);
                break;
            case 2:
                EksBlowfish.Round2(_state, _keyWords, _saltWords);
                break;
            default:
                EksBlowfish.Round4(_state, _keyWords, _saltWords);
                break;
        }

        for (var lane = Count - 1; lane >= 0; lane--)
        {
            if (--_roundsLeft[lane] == 0)
            {
                finished.Add((_tags[lane]!, _settings[lane]!.Text + BcryptRadix64.Encode(EksBlowfish.Finish(State(lane)))));
                Leave(lane);
            }
        }
    }

    /// <summary>The lane's key leaves: the last lane moves into its place, so the lanes in use stay the first ones.</summary>
    private void Leave(int lane)
    {
        var last = Count - 1;
        if (lane != last)
        {
            Copy(State(last), State(lane), BlowfishPi.StateWords);
            Copy(Words(_keyWords, last), Words(_keyWords, lane), BlowfishPi.PWords);
            Copy(Words(_saltWords, last), Words(_saltWords, lane), BlowfishPi.PWords);
            _roundsLeft[lane] = _roundsLeft[last];
            _settings[lane] = _settings[last];
            _tags[lane] = _tags[last];
        }

        Wipe(last);
        Count--;
    }

    private void Wipe(int lane)
    {
        new Span<uint>(State(lane), BlowfishPi.StateWords).Clear();
        new Span<uint>(Words(_keyWords, lane), BlowfishPi.PWords).Clear();
        new Span<uint>(Words(_saltWords, lane), BlowfishPi.PWords).Clear();
        _roundsLeft[lane] = 0;
        _settings[lane] = null;
        _tags[lane] = null;
    }

    private uint* State(int lane) => _state + (lane * BlowfishPi.StateWords);

    private static uint* Words(uint* words, int lane) => words + (lane * BlowfishPi.PWords);

    private static void Copy(uint* from, uint* to, int words) =>
        Buffer.MemoryCopy(from, to, words * sizeof(uint), words * sizeof(uint));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var lane = 0; lane < InterleavedBcrypt.MaxLanes; lane++)
        {
            Wipe(lane);
        }

        NativeMemory.Free(_state);
        NativeMemory.Free(_keyWords);
        NativeMemory.Free(_saltWords);
    }
}
