namespace OtpAuth.Hosting;

/// <summary>How an application model is run: for people (fixed default ports, state kept) or under test.</summary>
public sealed class DistributedApplicationOptions
{
    public string[] Args { get; set; } = [];

    /// <summary>The AppHost project's folder: base of its appsettings.json and of the repository root search.</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>Every port chosen free at random instead of the defaults people know.</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>Where data and generated secrets live. Null: <c>.otpauth/</c> at the repository root.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Remove <see cref="StateDirectory"/> when the application is disposed (tests).</summary>
    public bool DeleteStateOnDispose { get; set; }

    /// <summary>Echo the resources' output to the console (people); tests keep it in the log buffers only.</summary>
    public bool WriteToConsole { get; set; } = true;

    /// <summary>How long a resource may take to become healthy before the start fails.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(3);
}
