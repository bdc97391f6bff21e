using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace OtpAuth.Benchmarks.Load;

/// <summary>
/// The load benchmark's own SMTP server: accepts every message on loopback (several per connection, for pooled
/// clients), keeps nothing but the six-digit code per recipient, and hands it to whoever waits for it. Faster than
/// reading maildev's REST API, so the mail step measures the system, not the inbox.
/// </summary>
internal sealed partial class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _codes = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SmtpSink()
    {
        _listener.Start(backlog: 512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Messages => Interlocked.Read(ref _messages);

    private long _messages;

    /// <summary>The code of the latest message to <paramref name="address"/> (waiting for it), then forgets it.</summary>
    public async Task<string> TakeCodeAsync(string address, TimeSpan timeout)
    {
        var waiter = _codes.GetOrAdd(address, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        var code = await waiter.Task.WaitAsync(timeout);
        _codes.TryRemove(new KeyValuePair<string, TaskCompletionSource<string>>(address, waiter));
        return code;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250-8BITMIME");
                        await writer.WriteLineAsync("250 SMTPUTF8");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "RCPT":
                        recipients.Add(Address().Match(line).Groups[1].Value);
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go on");
                        var body = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                            body.AppendLine(data);
                        }

                        Deliver(recipients, body.ToString());
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok"); // HELO, RSET, NOOP
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private void Deliver(List<string> recipients, string message)
    {
        Interlocked.Increment(ref _messages);
        // The first six-digit run after the headers that stands as a word: on its own line (OtpAuth's text part) or in
        // a sentence (the peer's). A run inside a longer token does not count: MIME boundaries are random base64 and
        // hold six digits now and then (about one mail in 6,000 gave a wrong "code" before).
        var headerEnd = message.IndexOf("\n\n", StringComparison.Ordinal); // lines were joined with \n
        var match = Code().Match(headerEnd < 0 ? message : message[headerEnd..]);
        if (!match.Success)
        {
            return;
        }

        foreach (var recipient in recipients)
        {
            var waiter = _codes.GetOrAdd(recipient, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!waiter.TrySetResult(match.Value))
            {
                // A newer code for someone who has not taken the last one: replace it.
                var fresh = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                fresh.SetResult(match.Value);
                _codes[recipient] = fresh;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    [GeneratedRegex(@"<([^>]+)>")]
    private static partial Regex Address();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/=_-])\d{6}(?![A-Za-z0-9+/=_-])")]
    private static partial Regex Code();
}
