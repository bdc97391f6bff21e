using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace OtpAuth.Web;

/// <summary>
/// The OTP settings the page needs, read from the Web's own configuration (<c>Otp:Length</c>,
/// <c>Otp:ResendCooldownSeconds</c>): the AppHost hands the same <c>Otp__*</c> values to the Api and the Web.
/// </summary>
internal sealed class OtpClientOptions
{
    [Range(4, 10)]
    public int Length { get; set; } = 6;

    [Range(0, 86_400)]
    public int ResendCooldownSeconds { get; set; } = 60;
}

/// <summary>The body of <c>GET /config.json</c>.</summary>
internal sealed record ClientConfigResponse(
    [property: JsonPropertyName("otp_length")] int OtpLength,
    [property: JsonPropertyName("resend_cooldown_seconds")] int ResendCooldownSeconds);

internal static class ClientConfig
{
    public static IHostApplicationBuilder AddClientConfig(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OtpClientOptions>()
            .BindConfiguration("Otp")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    public static RouteHandlerBuilder MapClientConfig(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/config.json", (HttpContext context, IOptions<OtpClientOptions> options) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            return TypedResults.Ok(new ClientConfigResponse(options.Value.Length, options.Value.ResendCooldownSeconds));
        });
}
