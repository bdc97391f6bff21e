namespace OtpAuth.Api.Email;

/// <summary>
/// Mails that tell an account's owner what just happened to it (a deletion, a change). They are not under the mail
/// budget: each follows an action the owner proved (a password, a code), so a stranger cannot make them go. The action
/// stands when the mail cannot go out; the failure is logged by type only.
/// </summary>
public sealed partial class AccountNotices(IOtpEmailSender mail, ILogger<AccountNotices> logger)
{
    public async Task<bool> TrySendAsync(OutgoingMail notice, Guid userId, CancellationToken cancellationToken)
    {
        try
        {
            await mail.SendAsync(notice, cancellationToken);
            return true;
        }
        catch (EmailDeliveryException exception)
        {
            LogFailed(notice.Kind, userId, exception.InnerException?.GetType().Name ?? nameof(EmailDeliveryException));
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the {Kind} mail of user {UserId}: {ErrorType}")]
    private partial void LogFailed(MailKind kind, Guid userId, string errorType);
}
