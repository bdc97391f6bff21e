using System.Net;
using Microsoft.Playwright;
using OtpAuth.Api.Mfa;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using OtpAuth.Tests.Mfa;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>
/// Passkeys and two-step sign-in in real Chromium through the real system: Chromium's virtual authenticator (the
/// DevTools protocol's WebAuthn domain, a platform authenticator that verifies the user by itself) makes and uses the
/// passkeys, so the page's WebAuthn calls, the Api's checks of origin, RP ID and signatures all run for real. The TOTP
/// codes are computed from the key the page shows, as an authenticator app does.
/// </summary>
public sealed class WebSecondFactorTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private readonly AuthClient _api = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_passkey_added_on_the_account_page_signs_in_alone_without_an_address()
    {
        var email = OtpAuthPage.NewEmail("passkey");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        await AddVirtualAuthenticatorAsync(session.Page);
        var page = new OtpAuthPage(session.Page, WebAddress());
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);

        // Added with a name; the list says when it was added and that it was not used yet.
        await Expect(session.Page.Locator("#passkeys-none")).ToBeVisibleAsync();
        await page.Account.GetByLabel("Name for a new passkey").FillAsync("Work laptop");
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Expect(session.Page.Locator("#passkey-message")).ToContainTextAsync("Passkey \"Work laptop\" added");
        var passkeys = session.Page.Locator("#passkeys li");
        await Expect(passkeys).ToHaveCountAsync(1);
        await Expect(passkeys.First).ToContainTextAsync("Work laptop");
        await Expect(passkeys.First).ToContainTextAsync("not used yet");
        await Expect(session.Page.Locator("#passkeys-none")).ToBeHiddenAsync();
        await passkeys.First.ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(session.Page, "passkeys");

        // Signed out, then in with the passkey alone: no address typed.
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.Login).ToBeVisibleAsync();
        await page.Login.GetByLabel("Email").FillAsync("");
        var passkeyButton = page.Login.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" });
        await Expect(passkeyButton).ToBeVisibleAsync();
        await Screenshots.SaveAsync(session.Page, "passkey-sign-in");
        await passkeyButton.ClickAsync();

        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(email);
        await Expect(passkeys.First).ToContainTextAsync("last used");
        var amr = await AmrAsync(session.Page);
        Assert.Contains("mfa", amr);
        Assert.Contains("user", amr);

        // Removed: the list is empty, and the passkey no longer signs in.
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Remove passkey Work laptop" }).ClickAsync();
        await Expect(session.Page.Locator("#passkey-message")).ToContainTextAsync("removed");
        await Expect(passkeys).ToHaveCountAsync(0);
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Expect(session.Page.Locator("#login-message")).ToContainTextAsync("The passkey could not be verified.");
        await Expect(page.Login).ToBeVisibleAsync();
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task Totp_set_up_in_the_browser_asks_for_a_code_after_the_password_and_a_recovery_code_works_once()
    {
        var email = OtpAuthPage.NewEmail("totp");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, WebAddress());
        var mfa = session.Page.Locator("#screen-mfa");
        var setupScreen = session.Page.Locator("#screen-totp-setup");
        var codesScreen = session.Page.Locator("#screen-recovery-codes");
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);

        // Set up: the QR code as an image, the key as text; a code from the "app" turns it on.
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" }).ClickAsync();
        await Expect(setupScreen).ToBeVisibleAsync();
        var qr = setupScreen.GetByRole(AriaRole.Img, new() { Name = "QR code to add OtpAuth to an authenticator app" });
        await Expect(qr).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/svg\\+xml;base64,"));
        Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the QR code is drawn");
        var secret = OtpNet.Base32Encoding.ToBytes(string.Concat((await setupScreen.Locator("#totp-secret").TextContentAsync())!.Where(c => !char.IsWhiteSpace(c))));
        await Expect(OtpAuthPage.Box(setupScreen, 1, 6)).ToBeFocusedAsync();
        var confirmCode = TotpCodes.Compute(secret, DateTimeOffset.UtcNow);
        await session.Page.Keyboard.TypeAsync(confirmCode[..5]);
        await Screenshots.SaveAsync(session.Page, "totp-setup");
        await session.Page.Keyboard.TypeAsync(confirmCode[5..]); // a full code submits

        // The recovery codes, once: copied, downloaded, then "I saved them".
        await Expect(codesScreen).ToBeVisibleAsync();
        var recoveryCodes = await codesScreen.Locator("#recovery-codes li").AllTextContentsAsync();
        Assert.Equal(10, recoveryCodes.Count);
        Assert.All(recoveryCodes, c => Assert.Matches("^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$", c));
        await Screenshots.SaveAsync(session.Page, "recovery-codes");
        var download = await session.Page.RunAndWaitForDownloadAsync(() =>
            codesScreen.GetByRole(AriaRole.Button, new() { Name = "Download .txt" }).ClickAsync());
        Assert.EndsWith(".txt", download.SuggestedFilename, StringComparison.Ordinal);
        using (var reader = new StreamReader(await download.CreateReadStreamAsync()))
        {
            var text = await reader.ReadToEndAsync(Token);
            Assert.All(recoveryCodes, c => Assert.Contains(c, text, StringComparison.Ordinal));
        }
        await session.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await codesScreen.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Expect(session.Page.Locator("#recovery-codes-message")).ToContainTextAsync("copied");
        Assert.Contains(recoveryCodes[0], await session.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), StringComparison.Ordinal);
        await codesScreen.GetByRole(AriaRole.Button, new() { Name = "I saved them" }).ClickAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(page.Account.GetByRole(AriaRole.Button, new() { Name = "Turn off two-step sign-in" })).ToBeVisibleAsync();
        await Expect(page.Account.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" })).ToBeHiddenAsync();

        // Password, then the code of the next step (the one that confirmed the setup is spent): Enter submits.
        await SignOutAndEnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await Expect(OtpAuthPage.Box(mfa, 1, 6)).ToBeFocusedAsync();
        await Expect(mfa.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" })).ToBeHiddenAsync(); // none yet
        await Screenshots.SaveAsync(session.Page, "second-factor");
        await OtpAuthPage.PasteAsync(OtpAuthPage.Box(mfa, 1, 6), MfaSteps.NextCode(secret)); // a full code submits
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(email);

        // A wrong code is refused and the step stays; a recovery code instead signs in.
        await SignOutAndEnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await page.TypeCodeAsync(mfa, WrongCode(secret));
        await Expect(session.Page.Locator("#mfa-message")).ToContainTextAsync("Invalid or expired code");
        await Expect(OtpAuthPage.Box(mfa, 1, 6)).ToHaveAttributeAsync("aria-invalid", "true");
        await mfa.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await Expect(mfa.GetByLabel("Recovery code")).ToBeFocusedAsync();
        await session.Page.Keyboard.TypeAsync(recoveryCodes[0]);
        await session.Page.Keyboard.PressAsync("Enter");
        await Expect(page.Account).ToBeVisibleAsync();

        // The same recovery code a second time: refused with the Api's words, on the same step.
        await SignOutAndEnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await mfa.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await mfa.GetByLabel("Recovery code").FillAsync(recoveryCodes[0]);
        await mfa.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(session.Page.Locator("#mfa-message")).ToContainTextAsync("Invalid or expired code");
        await Expect(mfa).ToBeVisibleAsync();
        await Expect(mfa.GetByLabel("Recovery code")).ToHaveAttributeAsync("aria-invalid", "true");

        // Another one works; then two-step sign-in is turned off with a third, and the password alone signs in again.
        await mfa.GetByLabel("Recovery code").FillAsync(recoveryCodes[1]);
        await mfa.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Turn off two-step sign-in" }).ClickAsync();
        var remove = session.Page.Locator("#screen-totp-remove");
        await Expect(remove).ToBeVisibleAsync();
        await remove.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await remove.GetByLabel("Recovery code").FillAsync(recoveryCodes[2]);
        await remove.GetByRole(AriaRole.Button, new() { Name = "Turn off" }).ClickAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-message")).ToContainTextAsync("Two-step sign-in is off");
        await Expect(page.Account.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" })).ToBeVisibleAsync();
        using (var login = await _api.LoginAsync(email))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.True((await AuthClient.ReadJsonAsync(login)).TryGetProperty("access_token", out _), "no second step any more");
        }

        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task With_two_step_sign_in_on_a_passkey_can_be_the_second_step_after_the_password()
    {
        var email = OtpAuthPage.NewEmail("passkey-mfa");
        var access = await _api.RegisterVerifyAndLoginAsync(email);
        var (secret, _) = await _api.EnableTotpAsync(access);
        await using var session = await chromium.NewSessionAsync();
        await AddVirtualAuthenticatorAsync(session.Page);
        var page = new OtpAuthPage(session.Page, WebAddress());
        var mfa = session.Page.Locator("#screen-mfa");
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await EnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await Expect(mfa.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" })).ToBeHiddenAsync();
        await page.TypeCodeAsync(mfa, MfaSteps.NextCode(secret));
        await Expect(page.Account).ToBeVisibleAsync();

        await page.Account.GetByLabel("Name for a new passkey").FillAsync("Phone");
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Expect(session.Page.Locator("#passkeys li")).ToHaveCountAsync(1);

        // The password, then the passkey instead of a code.
        await SignOutAndEnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await mfa.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" }).ClickAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(email);
        var amr = await AmrAsync(session.Page);
        Assert.Contains("pwd", amr);
        Assert.Contains("mfa", amr);
        Assert.True(amr.Contains("hwk") || amr.Contains("swk"), string.Join(' ', amr));
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task An_old_session_confirms_with_the_password_and_a_code_then_turns_two_step_sign_in_off()
    {
        // On the Web whose Api counts a sign-in as recent for half a minute.
        using var reauthApi = new AuthClient(system, OtpAuthSystem.Reauth);
        var email = OtpAuthPage.NewEmail("totp-reauth");
        var access = await reauthApi.RegisterVerifyAndLoginAsync(email);
        var (secret, recoveryCodes) = await reauthApi.EnableTotpAsync(access);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint(OtpAuthSystem.ReauthWeb));
        var mfa = session.Page.Locator("#screen-mfa");
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await EnterPasswordAsync(page, email);
        await Expect(mfa).ToBeVisibleAsync();
        await page.TypeCodeAsync(mfa, MfaSteps.NextCode(secret));
        await Expect(page.Account).ToBeVisibleAsync();
        var turnOff = page.Account.GetByRole(AriaRole.Button, new() { Name = "Turn off two-step sign-in" });
        await Expect(turnOff).ToBeVisibleAsync(); // the session's sign-in says it is on
        await Task.Delay(TimeSpan.FromMinutes(OtpAuthSystem.ReauthMinutes) + TimeSpan.FromSeconds(3), Token);

        await turnOff.ClickAsync();
        var remove = session.Page.Locator("#screen-totp-remove");
        await remove.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await remove.GetByLabel("Recovery code").FillAsync(recoveryCodes[0]);
        await remove.GetByRole(AriaRole.Button, new() { Name = "Turn off" }).ClickAsync();

        // "Confirm it's you" with the password stops at the second step too; then the removal happens as asked.
        await Expect(page.Reauth).ToBeVisibleAsync();
        await Expect(page.Reauth).ToContainTextAsync("turn off two-step sign-in");
        await page.Reauth.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await page.Reauth.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(mfa).ToBeVisibleAsync();
        await page.TypeCodeAsync(mfa, MfaSteps.NextCode(secret)); // a later step than the sign-in's

        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-message")).ToContainTextAsync("Two-step sign-in is off");
        using (var login = await reauthApi.LoginAsync(email))
        {
            Assert.True((await AuthClient.ReadJsonAsync(login)).TryGetProperty("access_token", out _), "no second step any more");
        }

        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task The_account_page_shows_two_step_sign_in_as_it_is_even_when_turned_on_from_another_device()
    {
        var email = OtpAuthPage.NewEmail("totp-elsewhere");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, WebAddress());
        var setUp = page.Account.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" });
        var turnOff = page.Account.GetByRole(AriaRole.Button, new() { Name = "Turn off two-step sign-in" });
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);
        await Expect(setUp).ToBeVisibleAsync();
        await Expect(turnOff).ToBeHiddenAsync();

        // Turned on in another session: this browser's session began with the password alone, and the page says "on"
        // once it is drawn again.
        await _api.EnableTotpAsync((await _api.SignInAsync(email)).AccessToken);
        await session.Page.ReloadAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#totp-status")).ToContainTextAsync("On: after your password");
        await Expect(turnOff).ToBeVisibleAsync();
        await Expect(setUp).ToBeHiddenAsync();
        Assert.Empty(UncaughtErrors(session));
    }

    private static Task<string[]> AmrAsync(IPage page) =>
        page.EvaluateAsync<string[]>(
            "() => JSON.parse(atob(JSON.parse(sessionStorage.getItem('otpauth.session')).accessToken.split('.')[1]" +
            ".replace(/-/g, '+').replace(/_/g, '/'))).amr");

    private static async Task SignOutAndEnterPasswordAsync(OtpAuthPage page, string email)
    {
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await EnterPasswordAsync(page, email);
    }

    private static async Task EnterPasswordAsync(OtpAuthPage page, string email)
    {
        await Expect(page.Login).ToBeVisibleAsync();
        await page.Login.GetByLabel("Email").FillAsync(email);
        await page.Login.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>Six digits that are none of the codes the Api accepts now (±1 step).</summary>
    private static string WrongCode(byte[] secret)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-2, 5).Select(step => TotpCodes.Compute(secret, now.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(c => !valid.Contains(c));
    }

    /// <summary>
    /// The Web's address as the Api's passkey origin names it: WebAuthn binds a passkey to the RP ID "localhost", so the
    /// page must be opened at localhost, never 127.0.0.1.
    /// </summary>
    private Uri WebAddress()
    {
        var address = system.GetEndpoint("web");
        return address.IsLoopback && address.Host != "localhost" ? new UriBuilder(address) { Host = "localhost" }.Uri : address;
    }

    /// <summary>A platform authenticator that keeps discoverable credentials and verifies the user by itself.</summary>
    private static async Task AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
    }

    private static string[] UncaughtErrors(BrowserSession session) =>
        [.. session.Errors.Where(error => !error.Contains("Failed to load resource", StringComparison.Ordinal))];

    public void Dispose() => _api.Dispose();
}
