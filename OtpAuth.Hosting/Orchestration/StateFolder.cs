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
            File.WriteAllText(file, JsonSerializer.Serialize(kept, Indented));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}
