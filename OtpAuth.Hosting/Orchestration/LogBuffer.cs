namespace OtpAuth.Hosting.Orchestration;

public sealed record LogEntry(DateTimeOffset Timestamp, string Stream, string Text);

/// <summary>The last <c>capacity</c> console lines of one resource; older lines are dropped first.</summary>
public sealed class LogBuffer(int capacity = 2000)
{
    private readonly Queue<LogEntry> _entries = new();
    private readonly Lock _lock = new();

    /// <summary>Raised for every line added (the dashboard's live tail subscribes to it).</summary>
    public event Action<LogEntry>? LineAdded;

    public void Add(string text, string stream = "stdout")
    {
        var entry = new LogEntry(DateTimeOffset.UtcNow, stream, text);
        lock (_lock)
        {
            _entries.Enqueue(entry);
            while (_entries.Count > capacity)
            {
                _entries.Dequeue();
            }
        }

        LineAdded?.Invoke(entry);
    }

    public IReadOnlyList<LogEntry> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries];
        }
    }

    public IReadOnlyList<LogEntry> Tail(int count)
    {
        lock (_lock)
        {
            return [.. _entries.Skip(Math.Max(0, _entries.Count - count))];
        }
    }
}
