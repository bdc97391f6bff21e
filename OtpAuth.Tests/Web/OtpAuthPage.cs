using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OtpAuth.Tests.Web;

/// <summary>The frontend's screens as a person sees them: labels, button names and messages.</summary>
internal sealed class OtpAuthPage(IPage page, Uri address)
{
    public const string Password = "correct horse battery staple";

    public IPage Page => page;

    public ILocator Register => page.Locator("#screen-register");
    public ILocator Code => page.Locator("#screen-code");
    public ILocator Verified => page.Locator("#screen-verified");
    public ILocator Login => page.Locator("#screen-login");
    public ILocator Account => page.Locator("#screen-account");
    public ILocator Forgot => page.Locator("#screen-forgot");
    public ILocator Reset => page.Locator("#screen-reset");
    public ILocator EmailCode => page.Locator("#screen-email-code");
    public ILocator ChangeEmail => page.Locator("#screen-change-email");
    public ILocator ConfirmEmail => page.Locator("#screen-confirm-email");
    public ILocator Delete => page.Locator("#screen-delete");
    public ILocator Reauth => page.Locator("#screen-reauth");
    public ILocator Revert => page.Locator("#screen-revert");
    public ILocator Reverted => page.Locator("#screen-reverted");

    public ILocator CodeMessage => page.Locator("#code-message");
    public ILocator ResendButton => Code.GetByRole(AriaRole.Button, new() { Name = "Resend code" });

    public static string NewEmail(string purpose) => $"{purpose}.{Guid.NewGuid().ToString("N")[..12]}@example.com";

    /// <summary>
    /// A fresh address without digits, for the address an account moves to: the old address's mail names it before the
    /// undo code, and six digits of a random address would read as that code.
    /// </summary>
    public static string NewEmailWithoutDigits(string purpose) =>
        $"{purpose}.{string.Concat(Guid.NewGuid().ToString("N")[..12].Select(c => char.IsAsciiDigit(c) ? (char)('g' + (c - '0')) : c))}@example.com";

    public ILocator Digit(int position, int length) =>
        Code.GetByRole(AriaRole.Textbox, new() { Name = $"Digit {position} of {length}", Exact = true });

    /// <summary>A box of a long code (letters and digits).</summary>
    public ILocator Character(int position, int length) =>
        Code.GetByRole(AriaRole.Textbox, new() { Name = $"Character {position} of {length}", Exact = true });

    public ILocator ResetDigit(int position, int length) =>
        Reset.GetByRole(AriaRole.Textbox, new() { Name = $"Digit {position} of {length}", Exact = true });

    /// <summary>A digit box of the code on <paramref name="screen"/>.</summary>
    public static ILocator Box(ILocator screen, int position, int length) =>
        screen.GetByRole(AriaRole.Textbox, new() { Name = $"Digit {position} of {length}", Exact = true });

    /// <summary>Types a code into the boxes of <paramref name="screen"/> from the first, as a person does.</summary>
    public async Task TypeCodeAsync(ILocator screen, string code)
    {
        await Box(screen, 1, code.Length).FocusAsync();
        await page.Keyboard.TypeAsync(code);
    }

    /// <summary>From the register screen to the sign-in screen.</summary>
    public Task GoToSignInAsync() =>
        Register.GetByRole(AriaRole.Button, new() { Name = "Already verified? Sign in" }).ClickAsync();

    /// <summary>Opens the page on the sign-in screen and signs in.</summary>
    public async Task SignInAsync(string email, string password = Password)
    {
        await Login.GetByLabel("Email").FillAsync(email);
        await Login.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Login.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(Account).ToBeVisibleAsync();
    }

    public async Task<IResponse> OpenAsync()
    {
        var response = await page.GotoAsync(address.ToString()) ?? throw new InvalidOperationException("No response for the page.");
        await Expect(page.Locator("body[data-ready='true']")).ToBeAttachedAsync();
        return response;
    }

    public async Task FillRegistrationAsync(string email)
    {
        await Register.GetByLabel("Email").FillAsync(email);
        await Register.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await Register.GetByLabel("Confirm password").FillAsync(Password);
    }

    /// <summary>Registers and waits for the code screen.</summary>
    public async Task RegisterAsync(string email)
    {
        await FillRegistrationAsync(email);
        await Register.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(Code).ToBeVisibleAsync();
    }

    /// <summary>Pastes text into one box the way a browser does: a paste event carrying the clipboard's data.</summary>
    public static Task PasteAsync(ILocator box, string text) =>
        box.EvaluateAsync(
            "(element, text) => { const data = new DataTransfer(); data.setData('text/plain', text); " +
            "element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })); }",
            text);

    public Task<bool> HasHorizontalScrollAsync() =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth");
}
