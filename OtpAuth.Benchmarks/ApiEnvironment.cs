namespace OtpAuth.Benchmarks;

/// <summary>
/// Extra environment for the Api from a variable holding "Name=value;Name=value" (LOAD_API_ENV for the load benchmark,
/// FLOOD_API_ENV for the flood): an A/B try of one setting without editing code.
/// </summary>
internal static class ApiEnvironment
{
    public static void Apply(IResourceBuilder<IResourceWithEnvironment> api, string variable)
    {
        foreach (var setting in (Environment.GetEnvironmentVariable(variable) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = setting.Split('=', 2) is [var n, var v] ? (n, v) : throw new ArgumentException($"{variable}: \"{setting}\" is not Name=value.");
            Console.WriteLine($"Api environment for this run: {name}={value}");
            api.WithEnvironment(name, value);
        }
    }
}
