using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Email;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Unit;

/// <summary>A bad or missing setting stops the Api at start with a message that names the key (DESIGN.md §5).</summary>
public sealed class ConfigurationValidationTests
{
    private static readonly Dictionary<string, string?> ValidSettings = new()
    {
        ["ConnectionStrings:otpauth"] = "Host=localhost;Database=otpauth;Username=u;Password=p",
        ["ConnectionStrings:redis"] = "localhost:6379",
        ["ConnectionStrings:mail"] = "smtp://localhost:1025",
        ["Jwt:SigningKey"] = "0123456789abcdef0123456789abcdef",
        ["Otp:HashKey"] = "fedcba9876543210fedcba9876543210",
    };

    [Fact]
    public void Valid_settings_start()
    {
        using var host = Build([]);

        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Jwt:SigningKey", "0123456789abcdef0123456789abcde", "Jwt:SigningKey must be at least 32 bytes")]
    [InlineData("Jwt:SigningKey", "", "Jwt:SigningKey is required")]
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
    [InlineData("Smtp:From", "not an address", "Smtp:From")]
    [InlineData("Smtp:Username", "someone", "Smtp:Username and Smtp:Password must be set together")]
    public void A_bad_setting_stops_the_start_naming_its_key(string key, string value, string expectedMessage)
    {
        using var host = Build(new() { [key] = value });

        var exception = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expectedMessage, Flatten(exception), StringComparison.Ordinal);
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
        var exception = Assert.Throws<InvalidOperationException>(() => Build(new() { [key] = null }));

        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mail_connection_string_gives_host_and_port_without_TLS()
    {
        using var host = Build(new() { ["ConnectionStrings:mail"] = "smtp://mail.internal:2525" });

        var smtp = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal(("mail.internal", 2525, SmtpSecurity.None), (smtp.Host, smtp.Port, smtp.Security));
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

    private static IHost Build(Dictionary<string, string?> overrides)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
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
}
