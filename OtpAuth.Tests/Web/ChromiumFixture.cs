using Microsoft.Playwright;

namespace OtpAuth.Tests.Web;

/// <summary>
/// One Playwright driver and one headless Chromium for all the browser tests; each test gets a fresh
/// <see cref="BrowserSession"/> (its own context: no cookies or storage shared between tests).
/// Playwright's own browser download is not reachable from the build machines, so the system's
/// <c>/usr/bin/chromium</c> is used; where it is absent the tests are skipped with a message saying how to install it.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // A wait on the page that takes longer than this is a failure, not a reason to hang the run.
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private IPlaywright? playwright;
    private IBrowser? browser;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            return;
        }

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds,
            // Root needs --no-sandbox; the rest keep Chromium from calling home, which hangs on a closed network.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        Assertions.SetDefaultExpectTimeout((float)Timeout.TotalMilliseconds);
    }

    /// <summary>A new browser context and page; skips the test when Chromium is not installed.</summary>
    public async Task<BrowserSession> NewSessionAsync(int width = 480, int height = 640)
    {
        if (browser is null)
        {
            Assert.Skip($"Chromium not found at {ExecutablePath}: install it with apt-get install -y chromium");
        }

        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Timeout.TotalMilliseconds * 2);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}
