namespace OtpAuth.Api.Security;

/// <summary>
/// The security events, as structured logs in one category (<c>OtpAuth.Api.Security</c>) with stable event ids, so they
/// can be filtered and alerted on. They name users by id and clients by IP, never an email, code, password or token;
/// an address without an account appears as its opaque id (an HMAC), which is enough to correlate events.
/// </summary>
public static partial class SecurityEvents
{
    private const string Category = "OtpAuth.Api.Security";

    public static ILogger Logger(ILoggerFactory factory) => factory.CreateLogger(Category);

    public static void RateLimited(ILoggerFactory factory, string endpoint, string by, string clientIp, TimeSpan retryAfter) =>
        LogRateLimited(Logger(factory), endpoint, by, clientIp, (int)Math.Ceiling(retryAfter.TotalSeconds));

    [LoggerMessage(EventId = 6001, EventName = "LoginFailed", Level = LogLevel.Warning,
        Message = "Login failed for {UserId} (address {AddressId}) from {ClientIp}: {Reason}; {ConsecutiveFailures} consecutive failures")]
    public static partial void LoginFailed(ILogger logger, Guid? userId, string addressId, string clientIp, string reason, long consecutiveFailures);

    [LoggerMessage(EventId = 6002, EventName = "AccountThrottled", Level = LogLevel.Warning,
        Message = "Login refused for address {AddressId} from {ClientIp}: throttled after {ConsecutiveFailures} consecutive failures ({Scope}), retry in {RetryAfterSeconds} s")]
    public static partial void AccountThrottled(ILogger logger, string addressId, string clientIp, long consecutiveFailures, string scope, int retryAfterSeconds);

    [LoggerMessage(EventId = 6003, EventName = "CodeLocked", Level = LogLevel.Warning,
        Message = "Code verification refused for address {AddressId} from {ClientIp}: a wrong-code budget is spent, retry in {RetryAfterSeconds} s")]
    public static partial void CodeLocked(ILogger logger, string addressId, string clientIp, int retryAfterSeconds);

    [LoggerMessage(EventId = 6004, EventName = "RateLimited", Level = LogLevel.Warning,
        Message = "Rate limited {Endpoint} by {LimitedBy} for {ClientIp}, retry in {RetryAfterSeconds} s")]
    private static partial void LogRateLimited(ILogger logger, string endpoint, string limitedBy, string clientIp, int retryAfterSeconds);

    [LoggerMessage(EventId = 6005, EventName = "HashingBusy", Level = LogLevel.Warning,
        Message = "Refused {Path} from {ClientIp} with 503: every password hashing slot and queue place is taken")]
    public static partial void HashingBusy(ILogger logger, string path, string clientIp);

    [LoggerMessage(EventId = 6006, EventName = "MailCapReached", Level = LogLevel.Warning,
        Message = "Did not send a mail for {SubjectId}: the client's mail budget per minute is spent ({Budget})")]
    public static partial void MailCapReached(ILogger logger, Guid subjectId, RateLimiting.MailBudget budget);

    [LoggerMessage(EventId = 6007, EventName = "RegistrationOfExistingAccount", Level = LogLevel.Information,
        Message = "Someone at {ClientIp} tried to register the address of verified user {UserId}")]
    public static partial void RegistrationOfExistingAccount(ILogger logger, Guid userId, string clientIp);

    [LoggerMessage(EventId = 6008, EventName = "RegistrationVoided", Level = LogLevel.Warning,
        Message = "Pending registration {RegistrationId} (address {AddressId}) is void after {FailedAttempts} wrong codes; the last from {ClientIp}")]
    public static partial void RegistrationVoided(ILogger logger, Guid registrationId, string addressId, int failedAttempts, string clientIp);

    [LoggerMessage(EventId = 6009, EventName = "RefreshTokenReused", Level = LogLevel.Warning,
        Message = "A rotated refresh token of session {SessionId} (user {UserId}) was presented again from {ClientIp}; the session is revoked")]
    public static partial void RefreshTokenReused(ILogger logger, Guid sessionId, Guid userId, string clientIp);

    [LoggerMessage(EventId = 6010, EventName = "SessionsRevoked", Level = LogLevel.Information,
        Message = "Revoked {Count} sessions of user {UserId}: {Reason}")]
    public static partial void SessionsRevoked(ILogger logger, Guid userId, int count, string reason);

    [LoggerMessage(EventId = 6011, EventName = "PasswordChanged", Level = LogLevel.Information,
        Message = "Password of user {UserId} replaced ({How}) from {ClientIp}")]
    public static partial void PasswordChanged(ILogger logger, Guid userId, string how, string clientIp);

    [LoggerMessage(EventId = 6012, EventName = "SignedInByCode", Level = LogLevel.Information,
        Message = "User {UserId} signed in with an emailed code from {ClientIp}")]
    public static partial void SignedInByCode(ILogger logger, Guid userId, string clientIp);

    [LoggerMessage(EventId = 6013, EventName = "EmailChangeRequested", Level = LogLevel.Information,
        Message = "User {UserId} asked to move to address {AddressId} from {ClientIp}")]
    public static partial void EmailChangeRequested(ILogger logger, Guid userId, string addressId, string clientIp);

    [LoggerMessage(EventId = 6014, EventName = "EmailChanged", Level = LogLevel.Warning,
        Message = "User {UserId} moved from address {OldAddressId} to {NewAddressId} from {ClientIp}; the old address can take it back until {RevertUntil}")]
    public static partial void EmailChanged(ILogger logger, Guid userId, string oldAddressId, string newAddressId, string clientIp, DateTimeOffset revertUntil);

    [LoggerMessage(EventId = 6015, EventName = "EmailReverted", Level = LogLevel.Warning,
        Message = "User {UserId} was moved back to address {AddressId} by its code from {ClientIp}; every session ended and the password was voided")]
    public static partial void EmailReverted(ILogger logger, Guid userId, string addressId, string clientIp);

    [LoggerMessage(EventId = 6016, EventName = "AccountDeleted", Level = LogLevel.Warning,
        Message = "User {UserId} deleted their account ({How}) from {ClientIp}")]
    public static partial void AccountDeleted(ILogger logger, Guid userId, string how, string clientIp);

    [LoggerMessage(EventId = 6017, EventName = "AccountExported", Level = LogLevel.Information,
        Message = "User {UserId} exported their data from {ClientIp}")]
    public static partial void AccountExported(ILogger logger, Guid userId, string clientIp);

    [LoggerMessage(EventId = 6018, EventName = "SecondFactorChanged", Level = LogLevel.Warning,
        Message = "User {UserId}: {Change} from {ClientIp}")]
    public static partial void SecondFactorChanged(ILogger logger, Guid userId, string change, string clientIp);

    [LoggerMessage(EventId = 6019, EventName = "SecondFactorFailed", Level = LogLevel.Warning,
        Message = "A wrong second factor ({Method}) for user {UserId} from {ClientIp}")]
    public static partial void SecondFactorFailed(ILogger logger, Guid userId, string method, string clientIp);

    [LoggerMessage(EventId = 6020, EventName = "SignedInWith", Level = LogLevel.Information,
        Message = "User {UserId} signed in with {How} from {ClientIp}")]
    public static partial void SignedInWith(ILogger logger, Guid userId, string how, string clientIp);
}
