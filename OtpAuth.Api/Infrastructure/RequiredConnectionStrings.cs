using Microsoft.Extensions.Options;

namespace OtpAuth.Api.Infrastructure;

/// <summary>
/// The connection strings the Api cannot start without, checked when it starts (with the options classes) rather than
/// when a client integration is first resolved, which for Redis would be the first request: a 500 instead of a clear stop.
/// </summary>
internal sealed class RequiredConnectionStrings
{
    public static readonly (string Name, string Form)[] All =
    [
        ("otpauth", "a PostgreSQL connection string (Host=…;Port=…;Database=otpauth;Username=…;Password=…)"),
        ("redis", "a Redis address such as localhost:6379"),
    ];

    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<RequiredConnectionStrings>().ValidateOnStart().Services
            .AddSingleton<IValidateOptions<RequiredConnectionStrings>, Validator>();

    private sealed class Validator(IConfiguration configuration) : IValidateOptions<RequiredConnectionStrings>
    {
        public ValidateOptionsResult Validate(string? name, RequiredConnectionStrings options)
        {
            var missing = All
                .Where(c => string.IsNullOrWhiteSpace(configuration.GetConnectionString(c.Name)))
                .Select(c => $"ConnectionStrings:{c.Name} is missing: set it to {c.Form} (environment: ConnectionStrings__{c.Name}).")
                .ToList();
            return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
        }
    }
}
