using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// The Api's own telemetry: the meter <c>OtpAuth.Api</c> (<see cref="ApiMetrics"/>) and the activity source
/// <c>OtpAuth.Api.Smtp</c>. PostgreSQL's and Redis's commands are traced by Aspire's client integrations.
/// </summary>
public static class ApiTelemetry
{
    public const string MeterName = "OtpAuth.Api";
    public const string SmtpSourceName = "OtpAuth.Api.Smtp";

    private static readonly ActivitySource SmtpSource = new(SmtpSourceName);

    public static IHostApplicationBuilder AddApiTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(MeterName));
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(SmtpSourceName));
        return builder;
    }

    /// <summary>
    /// A client span for one SMTP delivery (MailKit has no ActivitySource of its own), so a registration's trace shows
    /// where its time went. Tagged with the server, never the recipient.
    /// </summary>
    public static Activity? StartSmtpSpan(string host, int port)
    {
        var activity = SmtpSource.StartActivity("smtp send", ActivityKind.Client);
        activity?.SetTag("server.address", host);
        activity?.SetTag("server.port", port);
        return activity;
    }
}

/// <summary>The counters and histogram of the meter <c>OtpAuth.Api</c>.</summary>
public sealed class ApiMetrics
{
    private readonly Counter<long> _registrations;
    private readonly Counter<long> _codesSent;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _emailFailures;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _mailsRefused;
    private readonly Histogram<double> _emailSendDuration;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _revocations;
    private readonly Counter<long> _passwordResets;
    private readonly Counter<long> _codeSignIns;
    private readonly Counter<long> _emailChanges;
    private readonly Counter<long> _accountActions;
    private readonly Counter<long> _mfa;
    private readonly Counter<long> _passkeys;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ApiTelemetry.MeterName);
        _registrations = meter.CreateCounter<long>("otpauth.registrations", "{registration}", "Accounts registered (new or re-registered unverified).");
        _codesSent = meter.CreateCounter<long>("otpauth.codes.sent", "{code}", "Verification codes handed to the SMTP server.");
        _verifications = meter.CreateCounter<long>("otpauth.verifications", "{verification}", "Code verifications, by outcome: ok, wrong, expired, locked.");
        _logins = meter.CreateCounter<long>("otpauth.logins", "{login}", "Logins, by outcome: ok, bad_password, unverified, throttled.");
        _emailFailures = meter.CreateCounter<long>("otpauth.email.failures", "{email}", "Mails the SMTP server could not take.");
        _rateLimited = meter.CreateCounter<long>("otpauth.rate_limited", "{request}", "Requests refused with 429, by endpoint and by what was over its limit.");
        _mailsRefused = meter.CreateCounter<long>("otpauth.mail.refused", "{email}", "Mails not sent because a mail budget was spent, by budget: network_share, shared, ceiling.");
        _refreshes = meter.CreateCounter<long>("otpauth.sessions.refreshes", "{refresh}", "Refresh token uses, by outcome: ok, invalid, reused (a rotated token presented again: the session is revoked).");
        _revocations = meter.CreateCounter<long>("otpauth.sessions.revocations", "{session}", "Sessions revoked, by reason: logout, logout_all, revoke, reuse, password_reset, password_change, email_change, email_revert, account_deleted.");
        _codeSignIns = meter.CreateCounter<long>("otpauth.sign_in_codes", "{request}", "Sign-in by emailed code, by step (requested, verify) and outcome: ok, invalid, locked.");
        _emailChanges = meter.CreateCounter<long>("otpauth.email_changes", "{request}", "Address changes, by step (requested, verify, revert) and outcome: ok, invalid, locked, wrong_password, conflict.");
        _accountActions = meter.CreateCounter<long>("otpauth.accounts", "{request}", "Account deletions and exports, by action (delete_code, delete, export) and outcome: ok, invalid, wrong_password.");
        _mfa = meter.CreateCounter<long>("otpauth.mfa", "{request}", "Second factors, by step (challenge, verify, totp_confirm, totp_remove) and outcome: ok, invalid, locked, no_challenge, no_setup.");
        _passkeys = meter.CreateCounter<long>("otpauth.passkeys", "{request}", "Passkeys, by step (register, remove, sign_in) and outcome: ok, invalid.");
        _passwordResets = meter.CreateCounter<long>("otpauth.password.resets", "{reset}", "Password resets and changes, by kind (reset_requested, reset, change) and outcome.");
        _emailSendDuration = meter.CreateHistogram<double>("otpauth.email.send.duration", "ms", "Time to hand one mail to the SMTP server.");
    }

    public void Registered() => _registrations.Add(1);

    public void CodeSent() => _codesSent.Add(1);

    /// <param name="outcome">ok, wrong, expired or locked.</param>
    public void Verified(string outcome) => _verifications.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="outcome">ok, bad_password, unverified or throttled.</param>
    public void LoggedIn(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void EmailFailed() => _emailFailures.Add(1);

    public void RateLimited(string endpoint, string by) => _rateLimited.Add(1,
        new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("by", by));

    public void MailRefused(RateLimiting.MailBudget budget) => _mailsRefused.Add(1, new KeyValuePair<string, object?>("budget", budget switch
    {
        RateLimiting.MailBudget.NetworkShare => "network_share",
        RateLimiting.MailBudget.Shared => "shared",
        _ => "ceiling",
    }));

    public void EmailSendTook(TimeSpan duration, bool ok) =>
        _emailSendDuration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "failed"));

    /// <param name="outcome">ok, invalid or reused.</param>
    public void Refreshed(string outcome) => _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SessionsRevoked(int count, string reason)
    {
        if (count > 0)
        {
            _revocations.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void PasswordReset(string kind, string outcome) => _passwordResets.Add(1,
        new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    public void SignInCode(string step, string outcome) => _codeSignIns.Add(1,
        new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", outcome));

    public void EmailChange(string step, string outcome) => _emailChanges.Add(1,
        new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", outcome));

    public void Account(string action, string outcome) => _accountActions.Add(1,
        new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", outcome));

    public void Mfa(string step, string outcome) => _mfa.Add(1,
        new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", outcome));

    public void Passkey(string step, string outcome) => _passkeys.Add(1,
        new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("outcome", outcome));
}
