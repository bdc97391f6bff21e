using System.Net;
using Microsoft.Playwright;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>
/// "Confirm it's you" in real Chromium: on <see cref="OtpAuthSystem.ReauthWeb"/>, whose Api counts a sign-in as recent
/// for <see cref="OtpAuthSystem.ReauthMinutes"/> of a minute, a session older than that asks for the password (or an
/// emailed code) before changing the address or deleting the account, then does what was asked.
/// </summary>
public sealed class WebReauthenticationTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(OtpAuthSystem.ReauthMinutes);
    private readonly AuthClient _api = new(system, OtpAuthSystem.Reauth);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_old_session_confirms_with_the_password_or_an_emailed_code_and_the_action_then_happens()
    {
        // Two people, each signed in once; one wait makes both sessions too old for sensitive actions.
        var changer = OtpAuthPage.NewEmail("reauth-change");
        var newEmail = OtpAuthPage.NewEmailWithoutDigits("reauth-new");
        var deleter = OtpAuthPage.NewEmail("reauth-delete");
        await _api.RegisterAndVerifyAsync(changer);
        await _api.RegisterAndVerifyAsync(deleter);
        await using var first = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(first.Page, system.GetEndpoint(OtpAuthSystem.ReauthWeb));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(changer);
        await using var second = await chromium.NewSessionAsync();
        var other = new OtpAuthPage(second.Page, system.GetEndpoint(OtpAuthSystem.ReauthWeb));
        await other.OpenAsync();
        await other.GoToSignInAsync();
        await other.SignInAsync(deleter);
        await Task.Delay(Window + TimeSpan.FromSeconds(3), Token);

        // The email change asks for the password, then sends the code to the new address as asked.
        var oldSession = await AccessTokenAsync(first.Page);
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Change email" }).ClickAsync();
        await page.ChangeEmail.GetByLabel("New email").FillAsync(newEmail);
        await page.ChangeEmail.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await page.ChangeEmail.GetByRole(AriaRole.Button, new() { Name = "Send code" }).ClickAsync();

        await Expect(page.Reauth).ToBeVisibleAsync();
        await Expect(page.Reauth.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Confirm it's you");
        await Expect(page.Reauth).ToContainTextAsync("change your email");
        await Expect(page.Reauth).ToContainTextAsync(changer);
        await Expect(page.Reauth.GetByLabel("Password", new() { Exact = true })).ToBeFocusedAsync();
        await first.Page.Keyboard.TypeAsync(OtpAuthPage.Password);
        await Screenshots.SaveAsync(first.Page, "reauthenticate");
        await first.Page.Keyboard.PressAsync("Enter");

        await Expect(page.ConfirmEmail).ToBeVisibleAsync();
        await Expect(page.ConfirmEmail).ToContainTextAsync(newEmail);
        Assert.NotEqual(oldSession, await AccessTokenAsync(first.Page));
        using (var old = await _api.MeAsync(oldSession))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode); // the confirmation replaced the session, not added one
        }

        var code = await _api.WaitForNewCodeAsync(newEmail, 0);
        await page.TypeCodeAsync(page.ConfirmEmail, code);
        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(first.Page.Locator("#account-email")).ToHaveTextAsync(newEmail);

        // The deletion: a wrong password at the prompt stays there, and Cancel goes back without deleting anything.
        await other.Account.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();
        await other.Delete.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await other.Delete.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(other.Reauth).ToBeVisibleAsync();
        await other.Reauth.GetByLabel("Password", new() { Exact = true }).FillAsync("not the password");
        await other.Reauth.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(second.Page.Locator("#reauth-message")).Not.ToBeEmptyAsync();
        await Expect(other.Reauth).ToBeVisibleAsync();
        await other.Reauth.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(other.Delete).ToBeVisibleAsync();
        using (var still = await _api.LoginAsync(deleter))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        // Then confirmed with a code instead of the password: the prompt sends one, then the deletion's own code is
        // sent as asked.
        await other.Delete.GetByRole(AriaRole.Button, new() { Name = "Email me a code instead" }).ClickAsync();
        await Expect(other.Reauth).ToBeVisibleAsync();
        await Expect(other.Reauth).ToContainTextAsync("delete your account");
        var before = await _api.CountMailsAsync(deleter);
        await other.Reauth.GetByRole(AriaRole.Button, new() { Name = "Email me a code instead" }).ClickAsync();
        var signInCode = await _api.WaitForNewCodeAsync(deleter, before);
        await Expect(OtpAuthPage.Box(other.Reauth, 1, signInCode.Length)).ToBeFocusedAsync();
        before = await _api.CountMailsAsync(deleter);
        await second.Page.Keyboard.TypeAsync(signInCode); // a full code confirms by itself

        await Expect(other.Delete).ToBeVisibleAsync();
        var deleteCode = await _api.WaitForNewCodeAsync(deleter, before);
        await Expect(OtpAuthPage.Box(other.Delete, 1, deleteCode.Length)).ToBeFocusedAsync();
        await second.Page.Keyboard.TypeAsync(deleteCode);
        await other.Delete.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();

        await Expect(other.Register).ToBeVisibleAsync();
        await Expect(second.Page.Locator("#register-message")).ToContainTextAsync("everything stored about it were deleted");
        using var login = await _api.LoginAsync(deleter);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Empty(UncaughtErrors(first));
        Assert.Empty(UncaughtErrors(second));
    }

    private static Task<string> AccessTokenAsync(IPage page) =>
        page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('otpauth.session')).accessToken");

    private static string[] UncaughtErrors(BrowserSession session) =>
        [.. session.Errors.Where(error => !error.Contains("Failed to load resource", StringComparison.Ordinal))];

    public void Dispose() => _api.Dispose();
}
