using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Api.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary>The per-endpoint limits (per client network and per address) kept in Redis.</summary>
    public static IHostApplicationBuilder AddRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName).Services
            .AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        builder.Services.AddSingleton<RedisRateLimiter>();
        return builder;
    }
}
