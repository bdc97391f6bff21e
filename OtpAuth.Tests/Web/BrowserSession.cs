using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace OtpAuth.Tests.Web;

/// <summary>One test's browser context and page, with everything the page printed as an error.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> errors = new();

    internal BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Enqueue($"uncaught: {error}");
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors (a CSP violation is one) and uncaught exceptions, in order.</summary>
    public IReadOnlyCollection<string> Errors => errors;

    public ValueTask DisposeAsync() => new(Context.CloseAsync());
}
