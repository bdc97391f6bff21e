using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>
/// Issue 29 in real Chromium through the real system: signing in with an emailed code, changing the address with a
/// code sent to the new one, undoing a change from the old mailbox, downloading one's data and deleting the account.
/// Codes come from the mail server.
/// </summary>
public sealed class WebAccountLifecycleTests(OtpAuthSystem system, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private const string NewPassword = "a new passphrase after the undo";
    private readonly AuthClient _api = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Opens the sign-in form, asks for a code by mail for <paramref name="email"/>, and returns the code mailed.</summary>
    private async Task<string> AskForSignInCodeAsync(OtpAuthPage page, string email)
    {
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.Login.GetByLabel("Email").FillAsync(email);
        var before = await _api.CountMailsAsync(email);
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Email me a code instead" }).ClickAsync();
        return await _api.WaitForNewCodeAsync(email, before);
    }

    [Fact]
    public async Task A_person_signs_in_with_a_code_mailed_to_them_without_typing_a_password()
    {
        var email = OtpAuthPage.NewEmail("code-sign-in");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));

        var code = await AskForSignInCodeAsync(page, email);

        await Expect(page.EmailCode).ToBeVisibleAsync();
        await Expect(page.EmailCode).ToContainTextAsync(email);
        await Expect(OtpAuthPage.Box(page.EmailCode, 1, code.Length)).ToBeFocusedAsync();
        await session.Page.Keyboard.TypeAsync(code[..^1]);
        await Screenshots.SaveAsync(session.Page, "sign-in-code");
        await session.Page.Keyboard.TypeAsync(code[^1..]); // the last digit signs in by itself

        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(email);
        await Expect(page.Account.Locator("#sessions li")).ToHaveCountAsync(1);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task A_wrong_sign_in_code_says_so_and_the_right_one_still_works()
    {
        var email = OtpAuthPage.NewEmail("code-wrong");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        var code = await AskForSignInCodeAsync(page, email);

        await page.TypeCodeAsync(page.EmailCode, AuthClient.WrongCodeFor(code));
        await Expect(session.Page.Locator("#email-code-message")).ToHaveTextAsync("Invalid or expired code");
        await Expect(OtpAuthPage.Box(page.EmailCode, 1, code.Length)).ToBeFocusedAsync();

        await OtpAuthPage.PasteAsync(OtpAuthPage.Box(page.EmailCode, 1, code.Length), code);
        await Expect(page.Account).ToBeVisibleAsync();
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task Changing_the_email_with_the_code_sent_to_the_new_address_shows_it_and_tells_the_old_one()
    {
        var oldEmail = OtpAuthPage.NewEmail("change-old");
        var newEmail = OtpAuthPage.NewEmailWithoutDigits("change-new");
        await _api.RegisterAndVerifyAsync(oldEmail);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(oldEmail);

        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Change email" }).ClickAsync();
        await Expect(page.ChangeEmail).ToBeVisibleAsync();
        await Expect(page.ChangeEmail).ToContainTextAsync(oldEmail);
        await page.ChangeEmail.GetByLabel("New email").FillAsync(newEmail);
        await page.ChangeEmail.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await Screenshots.SaveAsync(session.Page, "change-email");
        await page.ChangeEmail.GetByLabel("Password", new() { Exact = true }).FillAsync("not the password");
        await page.ChangeEmail.GetByRole(AriaRole.Button, new() { Name = "Send code" }).ClickAsync();
        await Expect(session.Page.Locator("#change-email-password-error")).ToBeVisibleAsync(); // the wrong password, under its field

        await page.ChangeEmail.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        var oldMails = await _api.CountMailsAsync(oldEmail);
        await page.ChangeEmail.GetByRole(AriaRole.Button, new() { Name = "Send code" }).ClickAsync();

        await Expect(page.ConfirmEmail).ToBeVisibleAsync();
        await Expect(page.ConfirmEmail).ToContainTextAsync(newEmail);
        var code = await _api.WaitForNewCodeAsync(newEmail, 0);
        await Expect(OtpAuthPage.Box(page.ConfirmEmail, 1, code.Length)).ToBeFocusedAsync();
        await Screenshots.SaveAsync(session.Page, "change-email-code");
        await session.Page.Keyboard.TypeAsync(code);

        await Expect(page.Account).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(newEmail);
        await Expect(session.Page.Locator("#account-message")).ToContainTextAsync($"We told {oldEmail} about the change");

        // The old address got the notice (with its undo code); the account signs in with the new address only.
        await _api.WaitForNewCodeAsync(oldEmail, oldMails);
        using (var withNew = await _api.LoginAsync(newEmail))
        {
            Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        }

        using (var withOld = await _api.LoginAsync(oldEmail))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        }

        // And so does the page.
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.Login).ToBeVisibleAsync();
        await page.SignInAsync(newEmail);
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(newEmail);
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task The_old_mailbox_undoes_an_email_change_and_then_chooses_a_new_password()
    {
        var oldEmail = OtpAuthPage.NewEmail("undo-old");
        var newEmail = OtpAuthPage.NewEmailWithoutDigits("undo-new");
        await _api.RegisterAndVerifyAsync(oldEmail);
        var undoCode = await ChangeEmailThroughTheApiAsync(oldEmail, newEmail);

        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.Login.GetByRole(AriaRole.Button, new() { Name = "Undo an email change" }).ClickAsync();
        await Expect(page.Revert).ToBeVisibleAsync();
        await page.Revert.GetByLabel("Your old email").FillAsync(oldEmail);
        await page.TypeCodeAsync(page.Revert, undoCode); // the last digit submits

        await Expect(page.Reverted).ToBeVisibleAsync();
        await Expect(page.Reverted.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Your address is back");
        await Expect(page.Reverted).ToContainTextAsync(oldEmail);
        await Expect(page.Reverted).ToContainTextAsync("every session is signed out");
        await Screenshots.SaveAsync(session.Page, "email-reverted");

        // Whoever changed the address may know the password: it no longer works, for either address.
        using (var withOldPassword = await _api.LoginAsync(oldEmail))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withOldPassword.StatusCode);
        }

        using (var withNewAddress = await _api.LoginAsync(newEmail))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withNewAddress.StatusCode);
        }

        // Forgot password, with the address filled in, leads to a new password and a sign-in.
        await page.Reverted.GetByRole(AriaRole.Button, new() { Name = "Choose a new password" }).ClickAsync();
        await Expect(page.Forgot).ToBeVisibleAsync();
        await Expect(page.Forgot.GetByLabel("Email")).ToHaveValueAsync(oldEmail);
        var before = await _api.CountMailsAsync(oldEmail);
        await page.Forgot.GetByRole(AriaRole.Button, new() { Name = "Send reset code" }).ClickAsync();
        await Expect(page.Reset).ToBeVisibleAsync();
        var resetCode = await _api.WaitForNewCodeAsync(oldEmail, before);
        await page.ResetDigit(1, resetCode.Length).FocusAsync();
        await session.Page.Keyboard.TypeAsync(resetCode);
        await session.Page.Keyboard.TypeAsync(NewPassword);
        await session.Page.Keyboard.PressAsync("Enter");
        await Expect(page.Login).ToBeVisibleAsync();
        await page.SignInAsync(oldEmail, NewPassword);
        await Expect(session.Page.Locator("#account-email")).ToHaveTextAsync(oldEmail);
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task Download_my_data_saves_what_is_stored_about_the_person_as_a_JSON_file()
    {
        var email = OtpAuthPage.NewEmail("export");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);

        var download = await session.Page.RunAndWaitForDownloadAsync(() =>
            page.Account.GetByRole(AriaRole.Button, new() { Name = "Download my data" }).ClickAsync());

        Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
        await using var stream = await download.CreateReadStreamAsync();
        var data = await JsonDocument.ParseAsync(stream, cancellationToken: Token);
        Assert.Equal(email, data.RootElement.GetProperty("account").GetProperty("email").GetString());
        Assert.NotEqual(0, data.RootElement.GetProperty("sessions").GetArrayLength());
        await Expect(session.Page.Locator("#account-message")).ToContainTextAsync(download.SuggestedFilename);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task Deleting_the_account_through_the_confirmation_step_ends_it_and_frees_the_address()
    {
        var email = OtpAuthPage.NewEmail("delete");
        await _api.RegisterAndVerifyAsync(email);
        var elsewhere = await _api.SignInAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);

        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();
        await Expect(page.Delete).ToBeVisibleAsync();
        await Expect(page.Delete.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Delete your account?");
        await Expect(page.Delete).ToContainTextAsync(email);
        await Expect(page.Delete).ToContainTextAsync("can't be undone");

        // Cancel changes nothing.
        await page.Delete.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.Account).ToBeVisibleAsync();
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();

        var delete = page.Delete.GetByRole(AriaRole.Button, new() { Name = "Delete my account" });
        await page.Delete.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        await Screenshots.SaveAsync(session.Page, "delete-account");
        await page.Delete.GetByLabel("Password", new() { Exact = true }).FillAsync("not the password");
        await delete.ClickAsync();
        await Expect(session.Page.Locator("#delete-password-error")).ToBeVisibleAsync();
        await Expect(page.Delete).ToBeVisibleAsync();

        await page.Delete.GetByLabel("Password", new() { Exact = true }).FillAsync(OtpAuthPage.Password);
        var before = await _api.CountMailsAsync(email);
        await delete.ClickAsync();

        await Expect(page.Register).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#register-message")).ToContainTextAsync("everything stored about it were deleted");
        Assert.Null(await session.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('otpauth.session')"));

        await system.Mail.WaitForMessageAsync(email, _ => true, after: before, Token); // the confirmation
        using (var login = await _api.LoginAsync(email))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        using (var other = await _api.MeAsync(elsewhere.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode); // every session ended with it
        }

        // The address registers again, through the page.
        var mails = await _api.CountMailsAsync(email);
        await page.RegisterAsync(email);
        var code = await _api.WaitForNewCodeAsync(email, mails);
        await page.Digit(1, code.Length).FocusAsync();
        await session.Page.Keyboard.TypeAsync(code);
        await Expect(page.Verified).ToBeVisibleAsync();
        Assert.Empty(UncaughtErrors(session));
    }

    [Fact]
    public async Task An_account_is_deleted_with_a_code_mailed_to_it_instead_of_the_password()
    {
        var email = OtpAuthPage.NewEmail("delete-code");
        await _api.RegisterAndVerifyAsync(email);
        await using var session = await chromium.NewSessionAsync();
        var page = new OtpAuthPage(session.Page, system.GetEndpoint("web"));
        await page.OpenAsync();
        await page.GoToSignInAsync();
        await page.SignInAsync(email);
        await page.Account.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();

        var before = await _api.CountMailsAsync(email);
        await page.Delete.GetByRole(AriaRole.Button, new() { Name = "Email me a code instead" }).ClickAsync();
        var code = await _api.WaitForNewCodeAsync(email, before);
        await Expect(OtpAuthPage.Box(page.Delete, 1, code.Length)).ToBeFocusedAsync();
        await Expect(page.Delete.GetByLabel("Password", new() { Exact = true })).ToBeHiddenAsync();
        await session.Page.Keyboard.TypeAsync(code);

        // A full code does not delete by itself: the destructive button is the person's to press.
        var delete = page.Delete.GetByRole(AriaRole.Button, new() { Name = "Delete my account" });
        await Expect(delete).ToBeFocusedAsync();
        await Expect(page.Delete).ToBeVisibleAsync();
        await delete.ClickAsync();

        await Expect(page.Register).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#register-message")).ToContainTextAsync("everything stored about it were deleted");
        using var login = await _api.LoginAsync(email);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Empty(UncaughtErrors(session));
    }

    /// <summary>Changes the address through the Api (sign in, change, the new mailbox's code); returns the old mailbox's undo code.</summary>
    private async Task<string> ChangeEmailThroughTheApiAsync(string oldEmail, string newEmail)
    {
        var signedIn = await _api.SignInAsync(oldEmail);
        using var change = await _api.SendAsync(HttpMethod.Post, "/auth/email/change", signedIn.AccessToken,
            new { new_email = newEmail, password = OtpAuthPage.Password });
        Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
        var changeId = (await AuthClient.ReadJsonAsync(change)).GetProperty("change_id").GetString();
        var code = await _api.WaitForNewCodeAsync(newEmail, 0);
        var oldMails = await _api.CountMailsAsync(oldEmail);
        using var verify = await _api.SendAsync(HttpMethod.Post, "/auth/email/change/verify", signedIn.AccessToken,
            new { change_id = changeId, code });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        return await _api.WaitForNewCodeAsync(oldEmail, oldMails);
    }

    // A failed API call is logged by Chromium as "Failed to load resource"; that is the page working, not an error.
    private static string[] UncaughtErrors(BrowserSession session) =>
        [.. session.Errors.Where(error => !error.Contains("Failed to load resource", StringComparison.Ordinal))];

    public void Dispose() => _api.Dispose();
}
