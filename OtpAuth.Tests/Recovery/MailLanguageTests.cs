using System.Net;
using OtpAuth.Tests.Api;
using OtpAuth.Tests.Infrastructure;

namespace OtpAuth.Tests.Recovery;

/// <summary>Mails in the language the person's browser asked for at registration, as text and HTML saying the same.</summary>
public sealed class MailLanguageTests(OtpAuthSystem system) : IDisposable
{
    private readonly AuthClient _client = new(system);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en-GB,en;q=0.8", "en", "Your OtpAuth verification code", "Your OtpAuth password reset code", "expires in 2 minutes")]
    [InlineData("de-CH, de;q=0.9, en;q=0.5", "de", "Ihr OtpAuth-Bestätigungscode", "Ihr OtpAuth-Code zum Zurücksetzen des Passworts", "läuft in 2 Minuten ab")]
    [InlineData("fr-FR,fr;q=0.9", "fr", "Votre code de vérification OtpAuth", "Votre code de réinitialisation du mot de passe OtpAuth", "expire dans 2 minutes")]
    [InlineData("ja,zh;q=0.8", "en", "Your OtpAuth verification code", "Your OtpAuth password reset code", "expires in 2 minutes")]
    public async Task Code_mails_are_in_the_registrations_language_as_text_and_html_with_the_code_in_both(
        string acceptLanguage, string language, string codeSubject, string resetSubject, string validity)
    {
        _client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        var email = AuthClient.NewAddress();
        var code = await _client.RegisterAndVerifyAsync(email);

        // The account keeps the language: a reset asked for without any Accept-Language is still in it.
        _client.Http.DefaultRequestHeaders.AcceptLanguage.Clear();
        using (var forgot = await _client.PostAsync("/auth/password/forgot", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }

        var resetCode = await _client.WaitForNewCodeAsync(email, 1);
        var mails = await _client.Mail.GetMessagesToAsync(email, Token);
        var (registration, reset) = (mails[0], mails[1]);

        Assert.Equal(codeSubject, registration.Subject);
        Assert.Equal(resetSubject, reset.Subject);
        foreach (var (mail, itsCode) in new[] { (registration, code), (reset, resetCode) })
        {
            Assert.Contains(itsCode, mail.Text, StringComparison.Ordinal);
            Assert.Contains(itsCode, mail.Html, StringComparison.Ordinal);
            Assert.Contains(validity, mail.Text, StringComparison.Ordinal);
            Assert.Contains(validity, mail.Html, StringComparison.Ordinal);
            Assert.Contains($"<html lang=\"{language}\"", mail.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", mail.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=", mail.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        }
    }

    public void Dispose() => _client.Dispose();
}
