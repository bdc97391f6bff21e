using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

/// <summary>A bad or missing setting stops the Api at start with a message that names the key (docs/architecture.md, "Configuration validated at start").</summary>
public sealed class ConfigurationValidationTests
{
    private static readonly Dictionary<string, string?> ValidSettings = new()
    {
        ["ConnectionStrings:otpauth"] = "Host=localhost;Database=otpauth;Username=u;Password=p",
        ["ConnectionStrings:redis"] = "localhost:6379",
        ["ConnectionStrings:mail"] = "smtp://localhost:1025",
        ["Jwt:KeyRingSecret"] = "0123456789abcdef0123456789abcdef",
        ["Jwt:Issuer"] = "https://auth.example.com",
        ["Otp:HashKey"] = "fedcba9876543210fedcba9876543210",
    };

    [Fact]
    public void Valid_settings_start()
    {
        using var host = Build([]);

        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData(null, 6, 600)]
    [InlineData("3", 1, 30)]
    [InlineData("1000", 100, 10_000)]
    public void The_mail_share_and_ceiling_follow_the_shared_budget_unless_set(string? mailsPerMinute, int share, int ceiling)
    {
        using var host = Build(new() { ["RateLimits:MailsPerMinute"] = mailsPerMinute });

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var limits = host.Services.GetRequiredService<IOptions<OtpAuth.Api.RateLimiting.RateLimitOptions>>().Value;
        Assert.Equal(share, limits.NetworkMailShare);
        Assert.Equal(ceiling, limits.MailCeiling);
    }

    [Fact]
    public void The_password_hasher_and_its_dummy_hash_are_built_at_start_not_by_the_first_login()
    {
        using var host = Build(new() { ["Password:BcryptWorkFactor"] = "4" });

        Assert.Contains(host.Services.GetServices<IHostedService>(), service => service is PasswordWarmUp);
    }

    [Theory]
    [InlineData("Jwt:KeyRingSecret", "0123456789abcdef0123456789abcde", "Jwt:KeyRingSecret must be at least 32 bytes")]
    [InlineData("Jwt:KeyRingSecret", "", "Jwt:KeyRingSecret is required")]
    [InlineData("Jwt:KeyRotationDays", "0", "Jwt:KeyRotationDays must be between")]
    [InlineData("Jwt:Issuer", "otpauth", "Jwt:Issuer must be an absolute https URL")]
    [InlineData("Jwt:Issuer", "http://auth.example.com", "Jwt:Issuer must be an absolute https URL")]
    [InlineData("Jwt:Issuer", "/auth", "Jwt:Issuer must be an absolute https URL")]
    [InlineData("Sessions:AbsoluteLifetimeDays", "7", "Sessions:AbsoluteLifetimeDays must be at least Sessions:RefreshTokenDays")]
    [InlineData("Sessions:RefreshTokenDays", "0", "Sessions:RefreshTokenDays must be between 1 and 365")]
    [InlineData("Otp:HashKey", "", "Otp:HashKey is required")]
    [InlineData("Otp:HashKey", "too short", "Otp:HashKey must be at least 32 bytes")]
    [InlineData("Otp:Length", "3", "Otp:Length must be between 4 and 10")]
    [InlineData("Otp:Length", "11", "Otp:Length must be between 4 and 10")]
    [InlineData("Otp:ExpireSeconds", "0", "Otp:ExpireSeconds")]
    [InlineData("Otp:MaxAttempts", "0", "Otp:MaxAttempts")]
    [InlineData("Otp:MaxFailuresPerHour", "0", "Otp:MaxFailuresPerHour")]
    [InlineData("Otp:ResendCooldownSeconds", "-1", "Otp:ResendCooldownSeconds")]
    [InlineData("Otp:MaxSendsPerHour", "0", "Otp:MaxSendsPerHour")]
    [InlineData("Jwt:AccessTokenMinutes", "0", "Jwt:AccessTokenMinutes")]
    [InlineData("Password:BcryptWorkFactor", "3", "Password:BcryptWorkFactor must be between 4 and 31")]
    [InlineData("Password:MinLength", "7", "Password:MinLength must be between 8 and 64")]
    [InlineData("Login:MaxConsecutiveFailures", "101", "Login:MaxConsecutiveFailures must be between 1 and 100")]
    [InlineData("Login:FreeFailures", "0", "Login:FreeFailures")]
    [InlineData("RateLimits:Login:PerIp", "0", "RateLimits:Login:PerIp must be at least 1")]
    [InlineData("RateLimits:ResendOtp:WindowSeconds", "0", "RateLimits:ResendOtp:WindowSeconds must be between 1 and 86400")]
    [InlineData("RateLimits:MailsPerMinute", "0", "RateLimits:MailsPerMinute")]
    [InlineData("RateLimits:MailsPerNetworkPerMinute", "0", "RateLimits:MailsPerNetworkPerMinute must be between 1 and RateLimits:MailsPerMinute (60)")]
    [InlineData("RateLimits:MailsPerNetworkPerMinute", "61", "RateLimits:MailsPerNetworkPerMinute must be between 1 and RateLimits:MailsPerMinute (60)")]
    [InlineData("RateLimits:MailsPerMinuteCeiling", "59", "RateLimits:MailsPerMinuteCeiling must be at least RateLimits:MailsPerMinute (60)")]
    [InlineData("Smtp:From", "not an address", "Smtp:From")]
    [InlineData("Smtp:Username", "someone", "Smtp:Username and Smtp:Password must be set together")]
    public void A_bad_setting_stops_the_start_naming_its_key(string key, string value, string expectedMessage)
    {
        using var host = Build(new() { [key] = value });

        var exception = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expectedMessage, Flatten(exception), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("otpauth")]
    [InlineData("http://localhost:8000")]
    public void In_Development_an_issuer_that_is_not_an_https_URL_still_starts(string issuer)
    {
        using var host = Build(new() { ["Jwt:Issuer"] = issuer }, Environments.Development);

        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Without_a_mail_server_the_start_asks_for_Smtp_Host()
    {
        using var host = Build(new() { ["ConnectionStrings:mail"] = null });

        var exception = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Smtp:Host is required", Flatten(exception), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ConnectionStrings:otpauth")]
    [InlineData("ConnectionStrings:redis")]
    public void A_missing_connection_string_stops_the_start_naming_it(string key)
    {
        using var host = Build(new() { [key] = null });

        var exception = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains($"{key} is missing", Flatten(exception), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp://localhost:1025", "localhost", 1025, SmtpSecurity.None)]
    [InlineData("smtp://127.0.0.1:1025", "127.0.0.1", 1025, SmtpSecurity.None)]
    [InlineData("smtp://[::1]:1025", "[::1]", 1025, SmtpSecurity.None)]
    [InlineData("smtp://mail.internal:2525", "mail.internal", 2525, SmtpSecurity.StartTls)]
    [InlineData("smtp://smtp.example.com", "smtp.example.com", 25, SmtpSecurity.StartTls)]
    [InlineData("smtp://10.0.0.5:587", "10.0.0.5", 587, SmtpSecurity.StartTls)]
    [InlineData("smtp://smtp.example.com:465", "smtp.example.com", 465, SmtpSecurity.SslOnConnect)]
    [InlineData("smtps://smtp.example.com", "smtp.example.com", 465, SmtpSecurity.SslOnConnect)]
    public void The_mail_connection_string_gives_plain_text_only_to_a_loopback_host_and_requires_TLS_of_any_other(string connectionString, string host, int port, SmtpSecurity security)
    {
        using var built = Build(new() { ["ConnectionStrings:mail"] = connectionString });

        var smtp = built.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal((host, port, security), (smtp.Host, smtp.Port, smtp.Security));
    }

    [Fact]
    public void Real_SMTP_from_the_AppHost_without_Smtp_Security_requires_STARTTLS()
    {
        // What the AppHost hands the Api when Smtp:Host, Smtp:Username and Smtp:Password are configured.
        using var host = Build(new() { ["ConnectionStrings:mail"] = "smtp://mailer:p%40ss%3Aword@smtp.example.com:587?from=OtpAuth%20%3Cotp%40example.com%3E" });

        var smtp = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal(("smtp.example.com", 587, SmtpSecurity.StartTls, "mailer", "p@ss:word", "OtpAuth <otp@example.com>"),
            (smtp.Host, smtp.Port, smtp.Security, smtp.Username, smtp.Password, smtp.From));
    }

    [Fact]
    public void An_Smtp_Host_beside_a_loopback_connection_string_is_not_talked_to_in_plain_text()
    {
        using var host = Build(new() { ["ConnectionStrings:mail"] = "smtp://localhost:1025", ["Smtp:Host"] = "smtp.example.com" });

        var smtp = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal(("smtp.example.com", SmtpSecurity.StartTls), (smtp.Host, smtp.Security));
    }

    [Theory]
    [InlineData("smtp.example.com", "587", SmtpSecurity.StartTls)]
    [InlineData("smtp.example.com", "465", SmtpSecurity.SslOnConnect)]
    [InlineData("localhost", "1025", SmtpSecurity.None)]
    public void Smtp_settings_without_a_connection_string_or_Security_get_TLS_for_any_server_off_this_machine(string host, string port, SmtpSecurity security)
    {
        using var built = Build(new() { ["ConnectionStrings:mail"] = null, ["Smtp:Host"] = host, ["Smtp:Port"] = port });

        Assert.Equal(security, built.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.Security);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Auto")]
    public void Plain_or_opportunistic_SMTP_to_a_remote_server_is_honoured_when_asked_for_and_warned_about_at_start(string security)
    {
        var logs = new WarningLog();
        using var host = Build(new() { ["ConnectionStrings:mail"] = "smtp://smtp.example.com:587", ["Smtp:Security"] = security }, logs: logs);

        host.Services.GetServices<IHostedService>().OfType<SmtpSecurityWarning>().Single().StartAsync(CancellationToken.None);

        Assert.Equal(Enum.Parse<SmtpSecurity>(security), host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.Security);
        var warning = Assert.Single(logs.Warnings);
        Assert.Contains("smtp.example.com:587", warning, StringComparison.Ordinal);
        Assert.Contains(security, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_TLS_and_the_dev_mail_server_start_without_a_warning()
    {
        foreach (var connectionString in new[] { "smtp://smtp.example.com:587", "smtp://localhost:1025" })
        {
            var logs = new WarningLog();
            using var host = Build(new() { ["ConnectionStrings:mail"] = connectionString }, logs: logs);

            host.Services.GetServices<IHostedService>().OfType<SmtpSecurityWarning>().Single().StartAsync(CancellationToken.None);

            Assert.Empty(logs.Warnings);
        }
    }

    [Fact]
    public void Smtp_Security_None_is_still_honoured_when_asked_for()
    {
        using var host = Build(new() { ["ConnectionStrings:mail"] = "smtp://smtp.example.com:25", ["Smtp:Security"] = "None" });

        Assert.Equal(SmtpSecurity.None, host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.Security);
    }

    [Fact]
    public void Smtp_settings_take_precedence_over_the_mail_connection_string()
    {
        using var host = Build(new()
        {
            ["Smtp:Host"] = "smtp.example.com",
            ["Smtp:Port"] = "587",
            ["Smtp:Security"] = "StartTls",
            ["Smtp:Username"] = "mailer",
            ["Smtp:Password"] = "secret",
        });

        var smtp = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal(("smtp.example.com", 587, SmtpSecurity.StartTls, "mailer"), (smtp.Host, smtp.Port, smtp.Security, smtp.Username));
    }

    private static IHost Build(Dictionary<string, string?> overrides, string environment = "Production", WarningLog? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environment });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Configuration.AddInMemoryCollection(ValidSettings.Concat(overrides)
            .GroupBy(setting => setting.Key)
            .Select(group => group.Last())
            .Where(setting => setting.Value is not null));
        builder.AddApplicationServices();
        return builder.Build();
    }

    private static string Flatten(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join(" | ", aggregate.InnerExceptions.Select(Flatten)),
        OptionsValidationException validation => string.Join(" | ", validation.Failures),
        _ => exception.Message + (exception.InnerException is null ? "" : " | " + Flatten(exception.InnerException)),
    };

    /// <summary>The warnings logged, as formatted.</summary>
    private sealed class WarningLog : ILoggerProvider, ILogger
    {
        public List<string> Warnings { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (Warnings)
                {
                    Warnings.Add(formatter(state, exception));
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
