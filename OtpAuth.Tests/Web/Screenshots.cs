using Microsoft.Playwright;

namespace OtpAuth.Tests.Web;

/// <summary>
/// Screenshots of each screen, kept as test artifacts in <c>screenshots/</c> next to the test assembly and
/// attached to the test result. When <c>OTPAUTH_DOCS_SCREENSHOTS</c> names a folder (the README's images live in
/// <c>docs/screenshots</c>), they are copied there too: that is how the README's pictures are regenerated.
/// </summary>
internal static class Screenshots
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task SaveAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{name}.png");
        var png = await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = path,
            FullPage = true,
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });
        TestContext.Current.AddAttachment($"screenshot-{name}", png, "image/png");

        var docs = Environment.GetEnvironmentVariable("OTPAUTH_DOCS_SCREENSHOTS");
        if (!string.IsNullOrWhiteSpace(docs))
        {
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, $"{name}.png"), overwrite: true);
        }
    }
}
