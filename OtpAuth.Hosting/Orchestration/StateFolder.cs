using System.Security.Cryptography;
using System.Text.Json;
using OtpAuth.Hosting.ApplicationModel;

namespace OtpAuth.Hosting.Orchestration;

/// <summary>
/// The folder where a run keeps what must survive it: PostgreSQL data, generated secrets (secrets.json,
/// readable only by its owner), pid files. In dev it is <c>.otpauth/</c> at the repository root (git-ignored).
/// </summary>
internal sealed class StateFolder(string path)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Path { get; } = path;

    /// <summary>A short stable id of this folder, to name containers and volumes per checkout.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path)))[..8];

    public void Create()
    {
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
        {
            // Traversable by the postgres OS user (its data folder lives inside), listable by no one else.
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>Gives every parameter its value: configuration first, else the kept generated value, else a new one.</summary>
    public void ResolveParameters(IEnumerable<ParameterResource> parameters, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var file = System.IO.Path.Combine(Path, "secrets.json");
        var kept = File.Exists(file)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? []
            : [];
        var changed = false;
        foreach (var parameter in parameters)
        {
            if (configuration[$"Parameters:{parameter.Name}"] is { Length: > 0 } configured)
            {
                parameter.Resolve(configured);
                continue;
            }

            if (parameter.DefaultValue is { } defaultValue)
            {
                parameter.Resolve(defaultValue);
                continue;
            }

            if (!kept.TryGetValue(parameter.Name, out var value))
            {
                value = parameter.Generate();
                kept[parameter.Name] = value;
                changed = true;
            }

            parameter.Resolve(value);
        }

        if (changed)
        {
            WritePrivateFile(file, JsonSerializer.Serialize(kept, Indented));
        }
    }

    /// <summary>Writes a file that is readable by its owner only from the moment it exists (no chmod window).</summary>
    public static void WritePrivateFile(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            File.Delete(path); // UnixCreateMode applies only to a file that does not exist yet
        }

        using var writer = new StreamWriter(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
        writer.Write(contents);
    }

    /// <summary>
    /// Takes the folder for this run. A second AppHost on the same checkout would otherwise take the first one's
    /// children for a crashed run's leftovers and stop them.
    /// </summary>
    public FileStream Lock()
    {
        try
        {
            return new FileStream(System.IO.Path.Combine(Path, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another AppHost is running with the state folder {Path}: stop it first (Ctrl+C in its terminal).", e);
        }
    }
}
