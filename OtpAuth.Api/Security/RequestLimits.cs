using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OtpAuth.Api.Security;

/// <summary>
/// What one request may be: its size, how slowly it may arrive and how long it may run. Every other limit a request
/// meets is a count kept across requests: per endpoint in <see cref="RateLimiting.RateLimitOptions"/>, per address and
/// code in <see cref="Otp.OtpOptions"/>, per account in <see cref="Login.LoginThrottle"/>, and the hashing queue in
/// <see cref="Passwords.PasswordOptions"/>; a field's own length is checked where it is parsed
/// (<see cref="Auth.EmailAddress.MaxLength"/>, <see cref="Passwords.PasswordRules.MaxLength"/>).
/// docs/security.md ("Protections") lists them all with their defaults.
/// </summary>
public static class RequestLimits
{
    /// <summary>No endpoint takes more than a few hundred bytes; Kestrel answers 413 past this.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public const int MaxHeaderCount = 50;

    public const int MaxHeadersTotalBytes = 16 * 1024;

    public const int MaxRequestLineBytes = 4 * 1024;

    /// <summary>Slowloris: the headers must arrive within this.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A body (and a response being read) must move at 240 bytes/s or better after a 5 s grace.</summary>
    public static readonly MinDataRate MinDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>
    /// Longest a request may run before it is cancelled and answered 503. Each dependency's own timeouts end a request
    /// sooner; this bounds what they add up to (a statement's timeout, then the cancel request Npgsql sends, then a
    /// retry), so that every endpoint answers within 10 s while a dependency hangs. No request of this Api needs longer.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(8);

    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.AddServerHeader = false;
            var limits = options.Limits;
            limits.MaxRequestBodySize = MaxBodyBytes;
            limits.MaxRequestHeaderCount = MaxHeaderCount;
            limits.MaxRequestHeadersTotalSize = MaxHeadersTotalBytes;
            limits.MaxRequestLineSize = MaxRequestLineBytes;
            limits.RequestHeadersTimeout = HeadersTimeout;
            limits.MinRequestBodyDataRate = MinDataRate;
            limits.MinResponseDataRate = MinDataRate;
            limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            limits.Http2.MaxStreamsPerConnection = 32;
        });

        // The timeout's own status is never sent: UseRequestTimeoutProblems turns the cancellation into a 503 problem.
        builder.Services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = Timeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        return builder;
    }
}
