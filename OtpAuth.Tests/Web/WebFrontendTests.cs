using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpAuth.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>
/// The browser frontend driven in real Chromium against the real running system: the page at the Web's address,
/// its API calls forwarded by the Web to the Api, codes read from the dev mail server.
/// </summary>
public sealed partial class WebFrontendTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly TimeSpan MailTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_person_registers_types_the_mailed_code_signs_in_and_sees_the_account()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        var email = OtpAuthPage.NewEmail("journey");

        await page.OpenAsync();
        await page.FillRegistrationAsync(email);
        await Screenshots.SaveAsync(session.Page, "register");
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.Code).ToBeVisibleAsync();
        await Expect(page.Code).ToContainTextAsync(email);
        var code = await WaitForCodeAsync(email);
        await Expect(page.Digit(1, code.Length)).ToBeFocusedAsync();

        await session.Page.Keyboard.TypeAsync(code[..1]);
        await Expect(page.Digit(2, code.Length)).ToBeFocusedAsync();
        await session.Page.Keyboard.TypeAsync(code[1..^1]);
        await Expect(page.Digit(code.Length, code.Length)).ToBeFocusedAsync();
        await Screenshots.SaveAsync(session.Page, "code-entry");

        // The last digit submits by itself.
        await session.Page.Keyboard.TypeAsync(code[^1..]);
        await Expect(page.Verified).ToBeVisibleAsync();
        await Expect(page.Verified.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Email verified");
        await Screenshots.SaveAsync(session.Page, "verified");

        await page.Verified.GetByRole(AriaRole.Button, new() { Name = "Continue to sign in" }).ClickAsync();
        await Expect(page.Login.GetByLabel("Email")).ToHaveValueAsync(email);
        await page.Login.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await Screenshots.SaveAsync(session.Page, "login");
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(email);
        await Expect(session.Page.Locator("#account-created")).ToHaveAttributeAsync("datetime", new Regex(@"^\d{4}-\d{2}-\d{2}T"));
        await Expect(session.Page.Locator("#account-verified")).ToHaveAttributeAsync("datetime", new Regex(@"^\d{4}-\d{2}-\d{2}T"));
        await Screenshots.SaveAsync(session.Page, "signed-in");

        Assert.DoesNotContain("token", session.Page.Url, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("eyJ", session.Page.Url, StringComparison.Ordinal);

        await Expect(page.Account.Locator("#sessions li")).ToHaveCountAsync(1);
        await Expect(page.Account.Locator("#sessions li")).ToContainTextAsync("This browser");

        // Signing out ends the session on the server, not only in the tab: its access token is refused afterwards.
        var accessToken = await session.Page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('otpauth.session')).accessToken");
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.Login).ToBeVisibleAsync();
        Assert.Null(await session.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('otpauth.session')"));
        using var api = new Api.AuthClient(system);
        using var me = await api.MeAsync(accessToken);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task Pasting_the_whole_code_into_any_box_fills_every_box_and_verifies()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        var email = OtpAuthPage.NewEmail("paste");

        await page.OpenAsync();
        await page.RegisterAsync(email);
        var code = await WaitForCodeAsync(email);

        await OtpAuthPage.PasteAsync(page.Digit(3, code.Length), $" {code} ");

        await Expect(page.Verified).ToBeVisibleAsync();
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task An_address_whose_codes_were_guessed_at_gets_ten_character_boxes_and_its_long_code_verifies()
    {
        var email = OtpAuthPage.NewEmail("long");
        // Strangers from ten networks spend the address's 100 wrong codes (api's default bound) at the Api directly.
        for (var i = 0; i < 100; i++)
        {
            using var stranger = new Api.AuthClient(system, "api", clientIp: $"203.0.113.{200 + (i / 10)}");
            using var wrong = await stranger.VerifyAsync(email, "000000");
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.RegisterAsync(email);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(MailTimeout);
        var code = await system.Mail.WaitForNewLongCodeAsync(email, previousCount: 0, timeout.Token);

        await Expect(page.Code.Locator("#code-legend")).ToHaveTextAsync("10-character code");
        await Expect(page.Character(10, 10)).ToBeVisibleAsync();
        await page.Character(1, 10).FocusAsync();
        await session.Page.Keyboard.TypeAsync(code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());

        await Expect(page.Verified).ToBeVisibleAsync();
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task A_wrong_code_shows_the_APIs_message_next_to_the_form()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        var email = OtpAuthPage.NewEmail("wrong");

        await page.OpenAsync();
        await page.RegisterAsync(email);
        var code = await WaitForCodeAsync(email);
        var wrong = (char)('0' + ((code[0] - '0' + 1) % 10)) + code[1..];

        await page.Digit(1, code.Length).FocusAsync();
        await session.Page.Keyboard.TypeAsync(wrong);

        await Expect(page.CodeMessage).ToHaveTextAsync("Invalid or expired code");
        await Expect(page.CodeMessage).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.Digit(1, code.Length)).ToBeFocusedAsync();
        await Expect(page.Digit(1, code.Length)).ToHaveValueAsync("");
        await Screenshots.SaveAsync(session.Page, "error");
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task Show_password_toggles_the_field_type_and_the_buttons_name()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        var password = page.Register.GetByLabel("Password", new() { Exact = true });
        await password.FillAsync("secret words");

        var show = page.Register.GetByRole(AriaRole.Button, new() { Name = "Show password", Exact = true });
        await Expect(show).ToHaveAttributeAsync("aria-pressed", "false");
        await show.ClickAsync();

        await Expect(password).ToHaveAttributeAsync("type", "text");
        var hide = page.Register.GetByRole(AriaRole.Button, new() { Name = "Hide password", Exact = true });
        await Expect(hide).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(hide).ToBeFocusedAsync();

        await session.Page.Keyboard.PressAsync("Enter");
        await Expect(password).ToHaveAttributeAsync("type", "password");
        await Expect(show).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(password).ToHaveValueAsync("secret words");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task Resend_counts_down_after_a_send_and_from_Retry_After_when_rate_limited()
    {
        var email = OtpAuthPage.NewEmail("resend");

        // Registering sends the first code and starts the countdown.
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.RegisterAsync(email);
        await Expect(page.Code.GetByRole(AriaRole.Button, new() { NameRegex = ResendCountdown() })).ToBeDisabledAsync();

        // Another tab of the same browser knows the registration: "I already have a code", then Resend within the
        // cooldown, and the page counts down from the API's Retry-After.
        var tab = await session.Context.NewPageAsync();
        var again = new OtpAuthPage(tab, system.GetEndpoint("web"));
        await again.OpenAsync();
        await again.Register.GetByRole(AriaRole.Button, new() { Name = "I already have a code" }).ClickAsync();
        await again.Code.GetByLabel("Email").FillAsync(email);
        await again.ResendButton.ClickAsync();

        var countdown = again.Code.GetByRole(AriaRole.Button, new() { NameRegex = ResendCountdown() });
        await Expect(countdown).ToBeDisabledAsync();
        await Expect(again.CodeMessage).Not.ToBeEmptyAsync();
        var secondsLeft = SecondsLeft(await countdown.TextContentAsync());
        await Expect(countdown).Not.ToHaveTextAsync($"Resend code in {secondsLeft} s", new() { Timeout = 3_000 });
        Assert.True(SecondsLeft(await countdown.TextContentAsync()) < secondsLeft, "the countdown goes down");
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task A_code_for_an_address_this_browser_never_registered_asks_to_register_again()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "I already have a code" }).ClickAsync();
        await page.Code.GetByLabel("Email").FillAsync(OtpAuthPage.NewEmail("elsewhere"));
        await OtpAuthPage.PasteAsync(page.Digit(1, 6), "123456");

        await Expect(page.CodeMessage).ToContainTextAsync("no registration waiting for that address");
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task At_375_px_wide_no_screen_scrolls_sideways()
    {
        await using var session = await chromium.NewSessionAsync(width: 375, height: 740);
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();

        Assert.False(await page.HasHorizontalScrollAsync(), "register screen scrolls sideways");
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "I already have a code" }).ClickAsync();
        await page.Code.GetByLabel("Email").FillAsync(OtpAuthPage.NewEmail("a-rather-long-address-for-a-narrow-screen"));
        Assert.False(await page.HasHorizontalScrollAsync(), "code screen scrolls sideways");
        await page.Code.GetByRole(AriaRole.Button, new() { Name = "Back" }).ClickAsync();
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "Already verified? Sign in" }).ClickAsync();
        await Expect(page.Login).ToBeVisibleAsync();
        Assert.False(await page.HasHorizontalScrollAsync(), "login screen scrolls sideways");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task The_page_is_served_with_security_headers_and_logs_no_console_errors()
    {
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));

        var response = await page.OpenAsync();
        var headers = await response.AllHeadersAsync();

        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        await Expect(page.Register.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Create your account");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task A_page_whose_Api_has_sign_in_by_code_off_offers_the_password_alone()
    {
        await using var session = await chromium.NewSessionAsync();
        var everyWay = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await everyWay.OpenAsync();
        await everyWay.GoToSignInAsync();
        var emailMeACode = everyWay.Login.GetByRole(AriaRole.Button, new() { Name = "Email me a code instead" });
        await Expect(emailMeACode).ToBeVisibleAsync();

        var passwordOnly = new OtpAuthPage(session.Page, system.GetEndpoint(OtpAuthSystem.PasswordOnlyWeb));
        await passwordOnly.OpenAsync();
        await passwordOnly.GoToSignInAsync();

        await Expect(passwordOnly.Login.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Expect(emailMeACode).ToBeHiddenAsync();
        await Expect(passwordOnly.Login.Locator(".lead")).ToHaveTextAsync("Welcome back. Sign in with your password.");
        Assert.Empty(UncaughtErrors(session));
    }

    private async Task<string> WaitForCodeAsync(string email)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(MailTimeout);
        return await system.Mail.WaitForCodeAsync(email, timeout.Token);
    }

    // A failed API call is logged by Chromium as "Failed to load resource"; that is the page working, not an error.
    private static string[] UncaughtErrors(BrowserSession session) =>
        [.. session.Errors.Where(error => !error.Contains("Failed to load resource", StringComparison.Ordinal))];

    private static int SecondsLeft(string? text) => int.Parse(ResendCountdown().Match(text ?? "").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Resend code in (\d+) s$")]
    private static partial Regex ResendCountdown();
}
