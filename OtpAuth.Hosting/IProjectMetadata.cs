namespace OtpAuth.Hosting;

/// <summary>
/// Where a project resource lives and what it builds to. Implemented by the <c>Projects.*</c> classes that
/// build/OtpAuth.Hosting.targets generates for each referenced project, as Aspire's AppHost SDK does.
/// </summary>
public interface IProjectMetadata
{
    /// <summary>Full path of the .csproj.</summary>
    string ProjectPath { get; }

    /// <summary>Full path of the built assembly the project runs from.</summary>
    string TargetPath { get; }
}
