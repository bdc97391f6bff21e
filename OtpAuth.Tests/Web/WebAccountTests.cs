using System.Net;
using Microsoft.Playwright;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>Recovery and the account page in real Chromium: forgot password with the code boxes, sessions, change password, renewal.</summary>
public sealed class WebAccountTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private const string NewPassword = "my fresh passphrase for otpauth";
    private readonly AuthClient _api = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_person_who_forgot_the_password_resets_it_with_the_mailed_code_and_signs_in_with_the_new_one()
    {
        var email = OtpAuthPage.NewEmail("forgot");
        await _api.RegisterAndVerifyAsync(email);
        var elsewhere = await _api.SignInAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));

        await page.OpenAsync();
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "Already verified? Sign in" }).ClickAsync();
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Forgot password?" }).ClickAsync();
        await Expect(page.Forgot).ToBeVisibleAsync();
        await page.Forgot.GetByLabel("Email").FillAsync(email);
        await Screenshots.SaveAsync(session.Page, "forgot");
        var before = await _api.CountMailsAsync(email);
        await page.Forgot.GetByRole(AriaRole.Button, new() { Name = "Send reset code" }).ClickAsync();

        await Expect(page.Reset).ToBeVisibleAsync();
        await Expect(page.Reset).ToContainTextAsync(email);
        var code = await _api.WaitForNewCodeAsync(email, before);
        await Expect(page.ResetDigit(1, code.Length)).ToBeFocusedAsync();
        await session.Page.Keyboard.TypeAsync(code);
        await Expect(page.Reset.GetByLabel("New password", new() { Exact = true })).ToBeFocusedAsync(); // a full code moves on
        await session.Page.Keyboard.TypeAsync(NewPassword);
        await Screenshots.SaveAsync(session.Page, "reset");
        await session.Page.Keyboard.PressAsync("Enter");

        await Expect(page.Login).ToBeVisibleAsync();
        await Expect(page.Login).ToContainTextAsync("Your password was changed");
        await page.SignInAsync(email, NewPassword);
        using var old = await _api.MeAsync(elsewhere.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode); // the reset ended the other session
        Assert.DoesNotContain(session.Errors, e => !e.Contains("Failed to load resource", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_account_page_lists_sessions_signs_out_everywhere_else_and_changes_the_password()
    {
        var email = OtpAuthPage.NewEmail("account");
        await _api.RegisterAndVerifyAsync(email);
        _api.Http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1");
        var phone = await _api.SignInAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "Already verified? Sign in" }).ClickAsync();
        await page.SignInAsync(email);

        var sessions = page.Account.Locator("#sessions li");
        await Expect(sessions).ToHaveCountAsync(2);
        await Expect(sessions.Filter(new() { HasText = "This browser" })).ToHaveCountAsync(1);
        await Expect(sessions.Filter(new() { HasText = "Safari on iPhone" })).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(session.Page, "account-sessions");

        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere else" }).ClickAsync();
        await Expect(sessions).ToHaveCountAsync(1);
        using (var phoneMe = await _api.MeAsync(phone.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, phoneMe.StatusCode);
        }

        await page.Account.GetByLabel("Current password", new() { Exact = true }).FillAsync("not the password");
        await page.Account.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(session.Page.Locator("#change-current-error")).ToBeVisibleAsync();

        await page.Account.GetByLabel("Current password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await page.Account.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(session.Page.Locator("#change-message")).ToContainTextAsync("Your password was changed");
        using var login = await _api.LoginAsync(email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task An_expiring_access_token_is_renewed_with_the_refresh_token_and_the_old_pair_stops_working()
    {
        var email = OtpAuthPage.NewEmail("renew");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.Register.GetByRole(AriaRole.Button, new() { Name = "Already verified? Sign in" }).ClickAsync();
        await page.SignInAsync(email);
        var before = await StoredSessionAsync(session.Page);

        // As if the access token were about to expire: a reload renews it before calling the Api.
        await session.Page.EvaluateAsync("() => { const s = JSON.parse(sessionStorage.getItem('otpauth.session')); s.expiresAt = Date.now(); sessionStorage.setItem('otpauth.session', JSON.stringify(s)); }");
        await page.OpenAsync();

        await Expect(page.Account).ToBeVisibleAsync();
        var after = await StoredSessionAsync(session.Page);
        Assert.NotEqual(before.Refresh, after.Refresh);
        Assert.NotEqual(before.Access, after.Access);
        using var renewed = await _api.MeAsync(after.Access);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
    }

    [Fact]
    public async Task Screenshots_of_the_html_mails_show_the_code_large_in_each_language()
    {
        await using var session = await chromium.NewSessionAsync();
        foreach (var language in new[] { "en", "de", "fr" })
        {
            using var client = new AuthClient(system);
            client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
            var email = AuthClient.NewAddress();
            var code = await client.RegisterAndVerifyAsync(email);
            var mail = (await client.Mail.GetMessagesToAsync(email, Token))[0];

            await session.Page.SetContentAsync(mail.Html);
            await Expect(session.Page.GetByText(code, new() { Exact = true })).ToBeVisibleAsync();
            var size = await session.Page.GetByText(code, new() { Exact = true }).EvaluateAsync<string>("e => getComputedStyle(e).fontSize");
            Assert.Equal("32px", size);
            await Screenshots.SaveAsync(session.Page, $"mail-code-{language}");
        }
    }

    private static async Task<(string Access, string Refresh)> StoredSessionAsync(IPage page)
    {
        var stored = await page.EvaluateAsync<string[]>("() => { const s = JSON.parse(sessionStorage.getItem('otpauth.session')); return [s.accessToken, s.refreshToken]; }");
        return (stored[0], stored[1]);
    }

    public void Dispose() => _api.Dispose();
}
