using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OtpAuth.Tests.Infrastructure;

public sealed record MailMessage(string To, string Subject, string Text, string Html, DateTimeOffset Date);

/// <summary>
/// Reads the dev mail server's REST API (maildev: <c>GET /email</c>). This is where tests take codes from:
/// the Api never returns or logs one.
/// </summary>
public sealed partial class MailInbox(HttpClient http)
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    public async Task<IReadOnlyList<MailMessage>> GetMessagesToAsync(string address, CancellationToken cancellationToken = default)
    {
        var all = await http.GetFromJsonAsync<List<MailDevEmail>>("/email", cancellationToken) ?? [];
        return [.. all
            .Where(m => m.To.Any(to => string.Equals(to.Address, address, StringComparison.OrdinalIgnoreCase)))
            .Select(m => new MailMessage(address, m.Subject ?? "", m.Text ?? "", m.Html ?? "", m.Date))
            .OrderBy(m => m.Date)];
    }

    /// <summary>
    /// How many messages to <paramref name="address"/> the server holds once it has listed what it accepted. maildev
    /// answers SMTP's 250 as the message ends and parses and lists it after, so a mail the Api handed over a moment ago
    /// (its 202 already given) may not be listed yet: the count is read until two reads 100 ms apart agree (parsing a
    /// message this small takes it milliseconds).
    /// </summary>
    public async Task<int> CountSettledAsync(string address, CancellationToken cancellationToken = default)
    {
        var count = (await GetMessagesToAsync(address, cancellationToken)).Count;
        for (var read = 0; read < 10; read++)
        {
            await Task.Delay(100, cancellationToken);
            var next = (await GetMessagesToAsync(address, cancellationToken)).Count;
            if (next == count)
            {
                break;
            }

            count = next;
        }

        return count;
    }

    /// <summary>
    /// The first message to <paramref name="address"/> that <paramref name="match"/> accepts, after the first
    /// <paramref name="after"/> messages, waiting for it to arrive.
    /// </summary>
    public Task<MailMessage> WaitForMessageAsync(string address, Func<MailMessage, bool> match, CancellationToken cancellationToken = default) =>
        WaitForMessageAsync(address, match, after: 0, cancellationToken);

    public async Task<MailMessage> WaitForMessageAsync(string address, Func<MailMessage, bool> match, int after, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitTimeout);
        try
        {
            while (true)
            {
                if ((await GetMessagesToAsync(address, timeout.Token)).Skip(after).FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                await Task.Delay(150, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching message to {address} within {WaitTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>The code in the newest message to <paramref name="address"/>, waiting for one to arrive.</summary>
    public Task<string> WaitForCodeAsync(string address, CancellationToken cancellationToken = default) =>
        WaitForNewCodeAsync(address, previousCount: 0, cancellationToken);

    /// <summary>The code in the newest message once more than <paramref name="previousCount"/> have arrived.</summary>
    public async Task<string> WaitForNewCodeAsync(string address, int previousCount, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WaitTimeout);
        try
        {
            while (true)
            {
                var messages = await GetMessagesToAsync(address, timeout.Token);
                if (messages.Count > previousCount)
                {
                    var match = Code().Match(messages[^1].Text);
                    return match.Success
                        ? match.Value
                        : throw new InvalidOperationException($"The newest message to {address} holds no code: {messages[^1].Text}");
                }

                await Task.Delay(150, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No new message to {address} within {WaitTimeout.TotalSeconds} s (had {previousCount}).");
        }
    }

    /// <summary>The six-digit code in a message's text.</summary>
    public static string CodeIn(string text) =>
        Code().Match(text) is { Success: true } match ? match.Value : throw new InvalidOperationException($"No code in: {text}");

    /// <summary>The long code (letters and digits, in two halves) in the newest message once more than <paramref name="previousCount"/> have arrived.</summary>
    public async Task<string> WaitForNewLongCodeAsync(string address, int previousCount, CancellationToken cancellationToken = default)
    {
        var message = await WaitForMessageAsync(address, _ => true, after: previousCount, cancellationToken);
        return LongCode().Match(message.Text) is { Success: true } match
            ? match.Value
            : throw new InvalidOperationException($"The newest message to {address} holds no long code: {message.Text}");
    }

    [GeneratedRegex(@"(?<!\d)\d{6}(?!\d)")]
    private static partial Regex Code();

    [GeneratedRegex(@"\b[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}\b")]
    private static partial Regex LongCode();

    private sealed record MailDevEmail(
        [property: JsonPropertyName("subject")] string? Subject,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("html")] string? Html,
        [property: JsonPropertyName("date")] DateTimeOffset Date,
        [property: JsonPropertyName("to")] List<MailDevAddress> To);

    private sealed record MailDevAddress([property: JsonPropertyName("address")] string Address);
}
