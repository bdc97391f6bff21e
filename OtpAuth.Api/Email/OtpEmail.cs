using System.Net;
using MimeKit;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.Email;

/// <summary>The verification message: a plain-text and an HTML part, both stating the code and how long it lasts.</summary>
public static class OtpEmail
{
    public const string Subject = "Your OtpAuth verification code";
    public const string AccountExistsSubject = "Someone tried to register your OtpAuth address";

    /// <summary>To the owner of a verified account, when <c>Auth:ConcealExistingAccounts</c> answered a registration of it with 202.</summary>
    public static MimeMessage CreateAccountExistsNotice(MailboxAddress from, string to)
    {
        var body = new BodyBuilder
        {
            TextBody = """
                Someone just tried to create an OtpAuth account with this email address, which already has one.
                Nothing was changed. If it was you, log in with your password instead.
                If it was not you, you can ignore this email.
                """,
            HtmlBody = """
                <!DOCTYPE html>
                <html lang="en"><body style="font-family: sans-serif">
                <p>Someone just tried to create an OtpAuth account with this email address, which already has one.</p>
                <p>Nothing was changed. If it was you, log in with your password instead.</p>
                <p style="color: #666">If it was not you, you can ignore this email.</p>
                </body></html>
                """,
        };
        return Create(from, to, AccountExistsSubject, body);
    }

    public static MimeMessage Create(MailboxAddress from, string to, string code, TimeSpan lifetime)
    {
        var validFor = DurationText.Describe(lifetime);
        var body = new BodyBuilder
        {
            TextBody = $"""
                Your OtpAuth verification code is: {code}

                It expires in {validFor} and works once.
                If you did not ask for it, you can ignore this email.
                """,
            HtmlBody = $"""
                <!DOCTYPE html>
                <html lang="en"><body style="font-family: sans-serif">
                <p>Your OtpAuth verification code is:</p>
                <p style="font-size: 28px; font-weight: bold; letter-spacing: 4px">{WebUtility.HtmlEncode(code)}</p>
                <p>It expires in {WebUtility.HtmlEncode(validFor)} and works once.</p>
                <p style="color: #666">If you did not ask for it, you can ignore this email.</p>
                </body></html>
                """,
        };

        return Create(from, to, Subject, body);
    }

    private static MimeMessage Create(MailboxAddress from, string to, string subject, BodyBuilder body)
    {
        var message = new MimeMessage { Subject = subject, Body = body.ToMessageBody() };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }
}
