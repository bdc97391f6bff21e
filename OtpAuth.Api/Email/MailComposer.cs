using System.Globalization;
using System.Resources;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using MimeKit;

namespace OtpAuth.Api.Email;

/// <summary>
/// Writes every mail as plain text and HTML saying the same, in the recipient's language (MailText.resx and its .de
/// and .fr satellites). The HTML has no remote images, scripts or links to follow; a code stands large, in a monospace
/// font, alone on its line so it can be selected and copied whole.
/// </summary>
public static class MailComposer
{
    // Escapes markup only; letters of every language stay as they are (the document is UTF-8), readable in the source.
    private static readonly HtmlEncoder Html5 = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly ResourceManager Text = new("OtpAuth.Api.Email.MailText", typeof(MailComposer).Assembly);

    public static MimeMessage Compose(OutgoingMail mail, MailboxAddress from)
    {
        var culture = MailLanguage.Culture(mail.Language);
        string T(string name) => Text.GetString(name, culture) ?? throw new InvalidOperationException($"Mail text {name} is missing.");

        var validity = string.Format(culture, T("CodeValidity"), Duration(mail.Lifetime, T));
        var (subject, intro, lines) = mail.Kind switch
        {
            MailKind.RegistrationCode => (T("CodeSubject"), T("CodeIntro"), new[] { validity, T("CodeIgnore") }),
            MailKind.PasswordResetCode => (T("ResetSubject"), T("ResetIntro"), new[] { validity, T("ResetIgnore") }),
            MailKind.AccountExists => (T("ExistsSubject"), T("ExistsBody"), new[] { T("ExistsHint") }),
            MailKind.PasswordChanged => (T("ChangedSubject"), T("ChangedBody"), new[] { T("ChangedHint") }),
            MailKind.SignInCode => (T("SignInSubject"), T("SignInIntro"), new[] { validity, T("SignInIgnore") }),
            MailKind.EmailChangeCode => (T("EmailChangeSubject"), T("EmailChangeIntro"), new[] { validity, T("EmailChangeIgnore") }),
            MailKind.EmailChanged => (T("EmailChangedSubject"), string.Format(culture, T("EmailChangedIntro"), mail.Detail), new[] { validity, T("EmailChangedHint") }),
            MailKind.AddressInUse => (T("InUseSubject"), T("InUseBody"), new[] { T("InUseHint") }),
            MailKind.AccountDeletionCode => (T("DeletionSubject"), T("DeletionIntro"), new[] { validity, T("DeletionIgnore") }),
            MailKind.AccountDeleted => (T("DeletedSubject"), T("DeletedBody"), new[] { T("DeletedHint") }),
            MailKind.SecondFactorAdded => (T("TotpOnSubject"), T("TotpOnBody"), new[] { T("FactorHint") }),
            MailKind.SecondFactorRemoved => (T("TotpOffSubject"), T("TotpOffBody"), new[] { T("FactorHint") }),
            MailKind.PasskeyAdded => (T("PasskeyAddedSubject"), string.Format(culture, T("PasskeyAddedBody"), mail.Detail), new[] { T("FactorHint") }),
            MailKind.PasskeyRemoved => (T("PasskeyRemovedSubject"), string.Format(culture, T("PasskeyRemovedBody"), mail.Detail), new[] { T("FactorHint") }),
            _ => throw new ArgumentOutOfRangeException(nameof(mail)),
        };
        if (OutgoingMail.CarriesCode(mail.Kind) && string.IsNullOrEmpty(mail.Code))
        {
            throw new ArgumentException("A code mail needs its code.", nameof(mail));
        }

        if (mail.Kind is MailKind.EmailChanged or MailKind.PasskeyAdded or MailKind.PasskeyRemoved && string.IsNullOrEmpty(mail.Detail))
        {
            throw new ArgumentException("This mail names the new address or the passkey.", nameof(mail));
        }

        var code = OutgoingMail.CarriesCode(mail.Kind) ? mail.Code : null;
        var body = new BodyBuilder
        {
            TextBody = string.Join("\n\n", new[] { intro, code }.Concat(lines).Append(T("Footer")).Where(part => part is not null)) + "\n",
            HtmlBody = Html(mail.Language, subject, intro, code, lines, T("Footer")),
        };
        var message = new MimeMessage { Subject = subject, Body = body.ToMessageBody() };
        message.Headers.Add(HeaderId.ContentLanguage, mail.Language);
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(mail.Recipient));
        return message;
    }

    private static string Duration(TimeSpan lifetime, Func<string, string> text)
    {
        var seconds = (int)Math.Ceiling(lifetime.TotalSeconds);
        return seconds % 86_400 == 0 && seconds > 0 ? string.Format(CultureInfo.InvariantCulture, text("Days"), seconds / 86_400)
            : seconds == 60 ? text("OneMinute")
            : seconds % 60 == 0 ? string.Format(CultureInfo.InvariantCulture, text("Minutes"), seconds / 60)
            : string.Format(CultureInfo.InvariantCulture, text("Seconds"), seconds);
    }

    private static string Html(string language, string subject, string intro, string? code, IEnumerable<string> lines, string footer)
    {
        static string E(string text) => Html5.Encode(text);
        var codeBlock = code is null ? "" : $"""
            <p style="margin:24px 0;font:bold 32px/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:6px;color:#111;user-select:all">{E(code)}</p>
            """;
        var paragraphs = string.Concat(lines.Select(line => $"""<p style="margin:0 0 12px">{E(line)}</p>"""));
        return $"""
            <!DOCTYPE html>
            <html lang="{E(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{E(subject)}</title></head>
            <body style="margin:0;padding:24px;background:#f4f5f7;font:16px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#222">
            <div style="max-width:480px;margin:0 auto;padding:24px;background:#fff;border-radius:8px">
            <p style="margin:0 0 16px;font-weight:600;font-size:18px">OtpAuth</p>
            <p style="margin:0 0 12px">{E(intro)}</p>{codeBlock}{paragraphs}
            <p style="margin:24px 0 0;font-size:13px;color:#666">{E(footer)}</p>
            </div></body></html>
            """;
    }
}
