namespace OtpAuth.Hosting.ApplicationModel;

/// <summary>
/// A value handed to resources, as Aspire's parameters: taken from configuration <c>Parameters:{name}</c>,
/// else its default, else generated once and kept in the state folder. Secret values are masked wherever shown.
/// </summary>
public sealed class ParameterResource(string name, bool secret, Func<string> generate, string? defaultValue = null)
{
    private string? _value;

    public string Name { get; } = name;

    public bool Secret { get; } = secret;

    internal Func<string> Generate { get; } = generate;

    /// <summary>The value when configuration gives none; null for generated parameters.</summary>
    public string? DefaultValue { get; } = defaultValue;

    public string Value => _value
        ?? throw new InvalidOperationException($"Parameter '{Name}' has no value yet: the application has not started.");

    internal void Resolve(string value) => _value = value;
}
