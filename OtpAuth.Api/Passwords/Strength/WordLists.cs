using System.Numerics;
using System.Runtime;

namespace OtpAuth.Api.Passwords.Strength;

/// <summary>
/// zxcvbn's frequency-ranked word lists (or the person's own inputs), held in one table so that one lookup of a
/// substring answers for every list, and looked up by span so that it allocates nothing. Ranks and sizes are those
/// zxcvbn-core builds for each list: a word's rank is its 1-based line number, and a word listed twice keeps its later
/// line.
/// </summary>
internal sealed class WordLists
{
    private static readonly string[] BuiltInNames = ["passwords", "english", "male_names", "female_names", "surnames", "us_tv_and_film"];

    /// <summary>Every distinct word, back to back: word <c>w</c> is <c>text[starts[w]..starts[w + 1]]</c>.</summary>
    private readonly char[] text;

    private readonly int[] starts;

    /// <summary>
    /// Open addressing over the words (linear probing, at most half full): a word's index + 1, 0 for an empty slot. One
    /// string per word in a <see cref="Dictionary{TKey,TValue}"/> held the built-in lists in 10.0 MB of the Api's heap
    /// for the life of the process; these arrays hold them in 3.8 MB (<c>benchmarks -- strength</c> prints both).
    /// </summary>
    private readonly int[] slots;

    /// <summary>
    /// Row <c>word index</c>, column <c>list</c>: the word's rank in that list, 0 when it is not in it. A list longer than
    /// 65,535 words would fail the checked conversion where this is filled; zxcvbn-core's are shorter (the tests load them).
    /// </summary>
    private readonly ushort[] ranks;

    private WordLists(IReadOnlyList<(string Name, IReadOnlyList<string> Words)> lists)
    {
        Names = [.. lists.Select(list => list.Name)];
        // Built through a dictionary once, then kept only as arrays.
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (var word in lists.SelectMany(list => list.Words))
        {
            if (distinct.TryAdd(word, words.Count))
            {
                words.Add(word);
            }
        }

        starts = new int[words.Count + 1];
        text = new char[words.Sum(word => word.Length)];
        slots = new int[Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)words.Count * 2))];
        for (var index = 0; index < words.Count; index++)
        {
            words[index].CopyTo(text.AsSpan(starts[index]));
            starts[index + 1] = starts[index] + words[index].Length;
            LongestWord = Math.Max(LongestWord, words[index].Length);
            var slot = FirstSlot(WordAt(index));
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & (slots.Length - 1);
            }

            slots[slot] = index + 1;
        }

        var counts = new int[lists.Count];
        ranks = new ushort[words.Count * lists.Count];
        for (var list = 0; list < lists.Count; list++)
        {
            var rank = 1;
            foreach (var word in lists[list].Words)
            {
                ref var cell = ref ranks[(distinct[word] * lists.Count) + list];
                counts[list] += cell == 0 ? 1 : 0;
                cell = checked((ushort)rank++);
            }
        }

        Counts = counts;
    }

    /// <summary>The dictionary names zxcvbn reports in its matches ("passwords", "english", …, "user_inputs"), in its order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Distinct words in each list: zxcvbn's cardinality for a match in it.</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>No substring longer than this is in any list, so matching need not look at one.</summary>
    public int LongestWord { get; }

    /// <summary>The six lists zxcvbn-core ships, read from its assembly's resources, in its default matcher order.</summary>
    public static WordLists BuiltIn()
    {
        var lists = new WordLists([.. BuiltInNames.Select(name => (name, ReadResource(name)))]);
        // Building them leaves about 9 MB of dead large arrays (the line lists, the dictionary's growth) in the
        // large-object heap, ahead of the live arrays. The GC never compacts that heap unless asked, so the free space
        // stayed committed and resident for the life of the process. Once, here, while the caller already waits for
        // the build (docs/benchmarks.md, "the Api's memory at rest").
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        return lists;
    }

    /// <summary>The person's own inputs (their address and its parts), lowercased as zxcvbn-core lowercases them.</summary>
    public static WordLists FromUserInputs(IEnumerable<string> inputs) =>
#pragma warning disable CA1304, CA1311 // zxcvbn-core lowercases with the current culture; the same call keeps inputs and password alike
        new([("user_inputs", [.. inputs.Select(input => input.ToLower())])]);
#pragma warning restore CA1304, CA1311

    /// <summary>The word's row of ranks, one per list (0: not in that list); empty when no list has it.</summary>
    public ReadOnlySpan<ushort> RanksOf(ReadOnlySpan<char> word)
    {
        if (word.Length > LongestWord)
        {
            return [];
        }

        for (var slot = FirstSlot(word); slots[slot] != 0; slot = (slot + 1) & (slots.Length - 1))
        {
            var index = slots[slot] - 1;
            if (word.SequenceEqual(WordAt(index)))
            {
                return ranks.AsSpan(index * Names.Count, Names.Count);
            }
        }

        return [];
    }

    private ReadOnlySpan<char> WordAt(int index) => text.AsSpan(starts[index], starts[index + 1] - starts[index]);

    private int FirstSlot(ReadOnlySpan<char> word) => string.GetHashCode(word) & (slots.Length - 1);

    private static string[] ReadResource(string name)
    {
        var assembly = typeof(Zxcvbn.Zxcvbn).Assembly;
        using var stream = assembly.GetManifestResourceStream($"zxcvbn-core.Dictionaries.{name}.lst")
            ?? throw new InvalidOperationException($"zxcvbn-core no longer embeds the word list '{name}'.");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }
}
