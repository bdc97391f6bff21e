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

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> wordIndex;

    /// <summary>Row <c>word index</c>, column <c>list</c>: the word's rank in that list, 0 when it is not in it.</summary>
    private readonly int[] ranks;

    private WordLists(IReadOnlyList<(string Name, IReadOnlyList<string> Words)> lists)
    {
        Names = [.. lists.Select(list => list.Name)];
        var counts = new int[lists.Count];
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var word in lists.SelectMany(list => list.Words))
        {
            indices.TryAdd(word, indices.Count);
            LongestWord = Math.Max(LongestWord, word.Length);
        }

        ranks = new int[indices.Count * lists.Count];
        for (var list = 0; list < lists.Count; list++)
        {
            var rank = 1;
            foreach (var word in lists[list].Words)
            {
                ref var cell = ref ranks[(indices[word] * lists.Count) + list];
                counts[list] += cell == 0 ? 1 : 0;
                cell = rank++;
            }
        }

        Counts = counts;
        wordIndex = indices.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The dictionary names zxcvbn reports in its matches ("passwords", "english", …, "user_inputs"), in its order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Distinct words in each list: zxcvbn's cardinality for a match in it.</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>No substring longer than this is in any list, so matching need not look at one.</summary>
    public int LongestWord { get; }

    /// <summary>The six lists zxcvbn-core ships, read from its assembly's resources, in its default matcher order.</summary>
    public static WordLists BuiltIn() => new([.. BuiltInNames.Select(name => (name, ReadResource(name)))]);

    /// <summary>The person's own inputs (their address and its parts), lowercased as zxcvbn-core lowercases them.</summary>
    public static WordLists FromUserInputs(IEnumerable<string> inputs) =>
#pragma warning disable CA1304, CA1311 // zxcvbn-core lowercases with the current culture; the same call keeps inputs and password alike
        new([("user_inputs", [.. inputs.Select(input => input.ToLower())])]);
#pragma warning restore CA1304, CA1311

    /// <summary>The word's row of ranks, one per list (0: not in that list); empty when no list has it.</summary>
    public ReadOnlySpan<int> RanksOf(ReadOnlySpan<char> word) =>
        wordIndex.TryGetValue(word, out var index) ? ranks.AsSpan(index * Names.Count, Names.Count) : [];

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
