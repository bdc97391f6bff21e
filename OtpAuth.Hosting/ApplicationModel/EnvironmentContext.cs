namespace OtpAuth.Hosting.ApplicationModel;

/// <summary>The environment being assembled for one process, handed to the resource's callbacks.</summary>
public sealed class EnvironmentContext(IDictionary<string, string> variables, string instanceName)
{
    public IDictionary<string, string> Variables { get; } = variables;

    /// <summary>The instance the environment is for: <c>api</c>, or <c>api-1</c> for a replica.</summary>
    public string InstanceName { get; } = instanceName;
}
