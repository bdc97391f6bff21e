using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Infrastructure;

public static class ValidatedOptions
{
    /// <summary>Options bound from <paramref name="section"/>, checked against their attributes when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
