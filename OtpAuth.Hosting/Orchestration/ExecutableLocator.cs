namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// Finds the programs the process runtime needs. By default it searches PATH (and, for PostgreSQL, the
/// Debian/Ubuntu folders <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>); <c>Hosting:SearchPath</c> replaces
/// both, which is how tests hide a program to prove the fallbacks work.
/// </summary>
public sealed class ExecutableLocator
{
    private readonly string[] _directories;
    private readonly bool _searchWellKnownFolders;

    public ExecutableLocator(string? searchPathOverride)
    {
        _searchWellKnownFolders = searchPathOverride is null;
        var searchPath = searchPathOverride ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        _directories = searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public string? Find(string name) =>
        _directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutable);

    /// <summary>The folder holding both <c>initdb</c> and <c>postgres</c>, newest version first.</summary>
    public string? FindPostgresBinDirectory()
    {
        var candidates = _directories.AsEnumerable();
        if (_searchWellKnownFolders && Directory.Exists("/usr/lib/postgresql"))
        {
            candidates = candidates.Concat(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }

        return candidates.FirstOrDefault(dir => IsExecutable(Path.Combine(dir, "initdb")) && IsExecutable(Path.Combine(dir, "postgres")));
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path)
        && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
