using Microsoft.Extensions.Configuration;

namespace OtpAuth.Hosting.Local;

/// <summary>
/// Finds the programs the local runtime needs. It searches PATH and, for PostgreSQL, Debian's
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>; <c>Hosting:SearchPath</c> replaces both, which is how a test hides a
/// program to prove that a fallback or an error message works.
/// </summary>
internal sealed class ProgramLocator
{
    public const string SearchPathKey = "Hosting:SearchPath";

    private readonly string[] _directories;
    private readonly bool _searchPostgresFolders;

    public ProgramLocator(IConfiguration configuration)
    {
        var configured = configuration[SearchPathKey];
        _searchPostgresFolders = configured is null;
        _directories = (configured ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The full path of <paramref name="name"/> on the search path, or null.</summary>
    public string? Find(string name) =>
        _directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutable);

    /// <summary>The folder holding both <c>initdb</c> and <c>postgres</c>, the newest version first, or null.</summary>
    public string? FindPostgresBinDirectory()
    {
        var candidates = _directories.AsEnumerable();
        if (_searchPostgresFolders && Directory.Exists("/usr/lib/postgresql"))
        {
            candidates = candidates.Concat(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }

        return candidates.FirstOrDefault(dir => IsExecutable(Path.Combine(dir, "initdb")) && IsExecutable(Path.Combine(dir, "postgres")));
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
