using MimeKit;
using OtpAuth.Api.Email;

namespace OtpAuth.Tests.Unit;

/// <summary>Every kind of mail in every language: a text and an HTML part that say the same, nothing fetched from elsewhere.</summary>
public sealed class MailComposerTests
{
    private static readonly MailboxAddress From = new("OtpAuth", "no-reply@otpauth.localhost");

    public static TheoryData<MailKind, string> Every => new(
        from kind in Enum.GetValues<MailKind>()
        from language in MailLanguage.Supported
        select (kind, language));

    [Theory]
    [MemberData(nameof(Every))]
    public void Each_mail_has_a_text_and_an_html_part_in_its_language(MailKind kind, string language)
    {
        using var message = MailComposer.Compose(new OutgoingMail(kind, "ada@example.com", language, "482913", TimeSpan.FromMinutes(2), Detail: "grace@example.com"), From);

        Assert.False(string.IsNullOrWhiteSpace(message.TextBody));
        Assert.Contains($"<html lang=\"{language}\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(language, message.Headers[HeaderId.ContentLanguage]);
        Assert.DoesNotContain("src=", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", message.HtmlBody, StringComparison.OrdinalIgnoreCase);
        var carriesCode = OutgoingMail.CarriesCode(kind);
        Assert.Equal(carriesCode, message.TextBody!.Contains("482913", StringComparison.Ordinal));
        Assert.Equal(carriesCode, message.HtmlBody!.Contains("482913", StringComparison.Ordinal));
        if (carriesCode)
        {
            var validity = language switch { "de" => "2 Minuten", "fr" => "2 minutes", _ => "2 minutes" };
            Assert.Contains(validity, message.TextBody, StringComparison.Ordinal);
            Assert.Contains(validity, message.HtmlBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("en", "7 days")]
    [InlineData("de", "7 Tagen")]
    [InlineData("fr", "7 jours")]
    public void The_address_changed_mail_names_the_new_address_and_a_code_that_lasts_days(string language, string validity)
    {
        using var message = MailComposer.Compose(
            new OutgoingMail(MailKind.EmailChanged, "ada@example.com", language, "482913", TimeSpan.FromDays(7), Detail: "grace@example.com"), From);

        Assert.Contains("grace@example.com", message.TextBody, StringComparison.Ordinal);
        Assert.Contains(validity, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("482913", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Languages_say_different_things()
    {
        var subjects = MailLanguage.Supported.Select(language =>
            MailComposer.Compose(new OutgoingMail(MailKind.PasswordChanged, "ada@example.com", language), From).Subject).ToList();

        Assert.Equal(subjects.Count, subjects.Distinct().Count());
    }
}
