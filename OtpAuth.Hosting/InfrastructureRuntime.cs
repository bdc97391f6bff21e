using System.Diagnostics;
using System.Runtime.CompilerServices;
using Aspire.Hosting;
using Microsoft.Extensions.Configuration;

namespace OtpAuth.Hosting;

/// <summary>Where a piece of infrastructure comes from.</summary>
public enum InfrastructureRuntime
{
    /// <summary>A server named in configuration (or, when publishing, a connection string parameter): nothing is started.</summary>
    External,

    /// <summary>Aspire's own container resource, because a container engine answers.</summary>
    Container,

    /// <summary>A local process under Aspire's orchestrator, because no container engine answers.</summary>
    Process,
}

/// <summary>
/// Chooses each resource's runtime while the model is built, never later: a container resource with no engine behind it
/// would sit in "Runtime unhealthy" and everything that waits for it would wait forever.
/// </summary>
public static class InfrastructureRuntimes
{
    /// <summary><c>auto</c> (default: docker, then podman, whichever answers <c>info</c>), <c>docker</c>, <c>podman</c> or <c>none</c>.</summary>
    public const string ContainerEngineKey = "Hosting:ContainerEngine";

    private static readonly string[] KnownEngines = ["docker", "podman"];

    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, string> Engines = new();

    /// <summary>
    /// External when publishing or when <paramref name="configured"/> is true; else a container when an engine
    /// answers; else a local process.
    /// </summary>
    public static InfrastructureRuntime ChooseRuntime(this IDistributedApplicationBuilder builder, bool configured)
    {
        if (configured || builder.ExecutionContext.IsPublishMode)
        {
            return InfrastructureRuntime.External;
        }

        return builder.ContainerEngine() is { Length: > 0 } ? InfrastructureRuntime.Container : InfrastructureRuntime.Process;
    }

    /// <summary>True when <c>ConnectionStrings:<paramref name="name"/></c> names an existing server.</summary>
    public static bool HasConnectionString(this IDistributedApplicationBuilder builder, string name) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name));

    /// <summary>The container engine to use ("docker" or "podman"), or "" when there is none; asked once per builder.</summary>
    public static string ContainerEngine(this IDistributedApplicationBuilder builder) =>
        Engines.GetValue(builder, static b =>
        {
            var engine = (b.Configuration[ContainerEngineKey] ?? "auto").Trim().ToLowerInvariant() switch
            {
                "none" => "",
                var named when named is "docker" or "podman" => named,
                _ => KnownEngines.FirstOrDefault(Answers) ?? "",
            };
            if (engine.Length > 0)
            {
                // Aspire's orchestrator picks its engine from this key; make it the one that answered.
                b.Configuration["DcpPublisher:ContainerRuntime"] = engine;
            }

            return engine;
        });

    /// <summary>Whether <c><paramref name="engine"/> info</c> succeeds within a few seconds (a client without a daemon does not).</summary>
    private static bool Answers(string engine)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(engine, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
