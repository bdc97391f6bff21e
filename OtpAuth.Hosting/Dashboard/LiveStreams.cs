using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OtpAuth.Hosting.Orchestration;

namespace OtpAuth.Hosting.Dashboard;

/// <summary>One console line as the live tail sends it.</summary>
internal sealed record ConsoleLine(string Resource, DateTimeOffset Timestamp, string Stream, string Text);

/// <summary>
/// The server-sent event streams behind the dashboard's live views: resource states as they change, and a
/// resource's console lines as they are written. Each listener has a bounded queue: a slow browser loses
/// the oldest lines rather than growing the AppHost's memory.
/// </summary>
internal static class LiveStreams
{
    private const int ConsoleBacklog = 1000;
    private static readonly TimeSpan ResourcesRefresh = TimeSpan.FromSeconds(5);

    /// <summary>The whole resource list at once, then again after every change (and every few seconds, for health).</summary>
    public static async IAsyncEnumerable<SseItem<object>> ResourcesAsync(Orchestrator orchestrator, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(ResourceInstance _) => changed.Writer.TryWrite(true);
        var instances = orchestrator.Instances.ToList();
        instances.ForEach(i => i.Changed += OnChanged);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                yield return new SseItem<object>(orchestrator.Instances.Select(ResourceApi.Describe).ToList(), "resources");
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(ResourcesRefresh);
                try
                {
                    await changed.Reader.ReadAsync(wait.Token);
                    await Task.Delay(100, cancellationToken); // let a burst of changes (stop, then start) settle into one event
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The periodic refresh.
                }
            }
        }
        finally
        {
            instances.ForEach(i => i.Changed -= OnChanged);
        }
    }

    /// <summary>The last lines of the instances (all replicas of a name), oldest first, then each new line as it comes.</summary>
    public static async IAsyncEnumerable<SseItem<ConsoleLine>> ConsoleAsync(IReadOnlyList<ResourceInstance> instances, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<(string Name, LogEntry Entry)>(new BoundedChannelOptions(5000) { FullMode = BoundedChannelFullMode.DropOldest });
        var handlers = instances.Select(instance => (instance, handler: (Action<LogEntry>)(entry => lines.Writer.TryWrite((instance.Name, entry))))).ToList();

        // Subscribe before reading the backlog, so no line falls between the two; lines in both are sent once.
        handlers.ForEach(h => h.instance.Logs.LineAdded += h.handler);
        try
        {
            var backlog = instances
                .SelectMany(i => i.Logs.Tail(ConsoleBacklog).Select(entry => (i.Name, entry)))
                .OrderBy(l => l.entry.Timestamp)
                .TakeLast(ConsoleBacklog)
                .ToList();
            var sent = backlog.Select(l => l.entry).ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var (name, entry) in backlog)
            {
                yield return Line(name, entry);
            }

            await foreach (var (name, entry) in lines.Reader.ReadAllAsync(cancellationToken))
            {
                if (!sent.Remove(entry))
                {
                    yield return Line(name, entry);
                }
            }
        }
        finally
        {
            handlers.ForEach(h => h.instance.Logs.LineAdded -= h.handler);
        }
    }

    private static SseItem<ConsoleLine> Line(string name, LogEntry entry) =>
        new(new ConsoleLine(name, entry.Timestamp, entry.Stream, entry.Text), "line");
}
