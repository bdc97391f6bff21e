using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Infrastructure;

namespace OtpAuth.Tests.Deployment;

/// <summary>
/// deploy/k8s, rendered by <c>kubectl kustomize</c> as a cluster would get it and read into typed objects: every
/// overlay renders, every workload has its probes, limits and security settings, no Secret is in the repository, and
/// the Api's Deployment gives the Api everything it validates at start and every variable the Aspire manifest names.
/// (No cluster runs here: nothing is applied.)
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new("dev", "production");

    private static readonly string Root = FindRepositoryRoot();

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_workload_has_probes_limits_and_locked_down_security(string overlay)
    {
        var objects = Render(overlay);
        var workloads = objects.OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template.Spec))
            .Concat(objects.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template.Spec))).ToList();
        Assert.Contains(workloads, w => w.Name == "otpauth-api");
        Assert.Contains(workloads, w => w.Name == "otpauth-web");

        foreach (var (name, pod) in workloads)
        {
            Assert.True(pod.AutomountServiceAccountToken == false, $"{name}: no service-account token");
            Assert.True(pod.SecurityContext?.RunAsNonRoot == true, $"{name}: runAsNonRoot");
            foreach (var container in pod.Containers)
            {
                var what = $"{name}/{container.Name}";
                Assert.True(container.ReadinessProbe is not null, $"{what}: readiness probe");
                Assert.True(container.LivenessProbe is not null, $"{what}: liveness probe");
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(container.Resources?.Requests?.ContainsKey(resource) == true, $"{what}: {resource} request");
                    Assert.True(container.Resources?.Limits?.ContainsKey(resource) == true, $"{what}: {resource} limit");
                }

                Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem == true, $"{what}: read-only root filesystem");
                Assert.True(container.SecurityContext?.AllowPrivilegeEscalation == false, $"{what}: no privilege escalation");
                Assert.Contains("ALL", container.SecurityContext?.Capabilities?.Drop ?? []);
            }
        }

        var probes = Api(objects).Spec.Template.Spec.Containers[0];
        Assert.Equal("/health", probes.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/alive", probes.LivenessProbe.HttpGet.Path);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_secret_value_is_in_the_repository_only_references(string overlay)
    {
        var objects = Render(overlay);

        Assert.Empty(objects.OfType<V1Secret>());
        var env = objects.OfType<V1Deployment>().Concat<object>(objects.OfType<V1StatefulSet>())
            .SelectMany(w => w is V1Deployment d ? d.Spec.Template.Spec.Containers : ((V1StatefulSet)w).Spec.Template.Spec.Containers)
            .SelectMany(c => c.Env ?? []).ToList();
        foreach (var secret in new[] { "ConnectionStrings__otpauth", "ConnectionStrings__redis", "ConnectionStrings__mail", "Jwt__KeyRingSecret", "Otp__HashKey", "POSTGRES_PASSWORD" })
        {
            Assert.All(env.Where(e => e.Name == secret), e =>
            {
                Assert.Null(e.Value);
                Assert.NotNull(e.ValueFrom?.SecretKeyRef);
            });
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_api_deployment_gives_the_api_every_setting_it_validates_at_start(string overlay)
    {
        var objects = Render(overlay);
        var settings = Environment(Api(objects), objects.OfType<V1ConfigMap>().ToList())
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);

        // The Api's own options classes and validators decide what is required, not a list kept here, in the environment
        // the Deployment gives it (Production unless it says otherwise).
        settings.TryGetValue("ASPNETCORE_ENVIRONMENT", out var environment);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environment ?? Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddApplicationServices();
        using var host = builder.Build();
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        if (overlay == "production")
        {
            Assert.StartsWith("https://", settings["Jwt:Issuer"], StringComparison.Ordinal); // tokens name a public https issuer
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_api_and_web_deployments_set_every_variable_the_aspire_manifest_hands_them(string overlay)
    {
        var objects = Render(overlay);
        var manifest = await PublishAspireManifestAsync();

        foreach (var (resource, deployment) in new[] { ("api", "otpauth-api"), ("web", "otpauth-web") })
        {
            var given = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == deployment)
                .Spec.Template.Spec.Containers[0].Env.Select(e => e.Name).ToHashSet();
            var expected = manifest.GetProperty("resources").GetProperty(resource).GetProperty("env").EnumerateObject()
                .Select(p => p.Name)
                // The Web's second spelling of the Api's address, and the OTLP retry mode of Aspire's own collector.
                .Where(name => name is not "API_HTTP" and not "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY");
            Assert.All(expected, name => Assert.True(given.Contains(name), $"{deployment} lacks {name}, which the Aspire manifest sets"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_client_address_travels_ingress_to_web_to_api_each_hop_trusting_only_the_one_before(string overlay)
    {
        var objects = Render(overlay);
        var configMaps = objects.OfType<V1ConfigMap>().ToList();

        // Hop 1: the ingress sends everything to the Web, and only the ingress controller's namespace may reach the Web.
        var backends = objects.OfType<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service.Name);
        Assert.All(backends, backend => Assert.Equal("otpauth-web", backend));
        var webPeers = AllowedPeers(objects, "otpauth-web");
        Assert.Equal("ingress-nginx", Assert.Single(webPeers).NamespaceSelector?.MatchLabels?["kubernetes.io/metadata.name"]);

        // Hop 2: only the Web's pods may reach the Api, whose Service is internal to the cluster.
        var apiPeers = AllowedPeers(objects, "otpauth-api");
        Assert.Equal("otpauth-web", Assert.Single(apiPeers).PodSelector?.MatchLabels?["app.kubernetes.io/name"]);
        Assert.Null(Assert.Single(apiPeers).NamespaceSelector);
        Assert.Contains(objects.OfType<V1Service>().Single(s => s.Metadata.Name == "otpauth-api").Spec.Type ?? "ClusterIP", new[] { "ClusterIP" });

        // Each hop names the network it believes X-Forwarded-For from, a pod network rather than a whole private range,
        // and no proxy list or hop count beside it that would widen what it believes.
        foreach (var deployment in new[] { "otpauth-web", "otpauth-api" })
        {
            var env = Environment(objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == deployment), configMaps);
            var network = System.Net.IPNetwork.Parse(env["ForwardedHeaders__KnownNetworks__0"]);
            Assert.True(network.PrefixLength >= 16, $"{deployment} trusts {network}: wider than a pod network");
            Assert.DoesNotContain(env.Keys, key => key.StartsWith("ForwardedHeaders__", StringComparison.Ordinal) && key != "ForwardedHeaders__KnownNetworks__0");
        }
    }

    [Fact]
    public async Task Only_the_web_is_an_external_endpoint_of_the_aspire_manifest()
    {
        var manifest = await PublishAspireManifestAsync();

        bool External(string resource) => manifest.GetProperty("resources").GetProperty(resource).GetProperty("bindings").EnumerateObject()
            .Any(binding => binding.Value.TryGetProperty("external", out var external) && external.GetBoolean());
        Assert.True(External("web"), "the Web faces clients");
        Assert.False(External("api"), "the Api is reached through the Web only");
    }

    /// <summary>Who the NetworkPolicies of the namespace let reach the pods of <paramref name="app"/>.</summary>
    private static List<V1NetworkPolicyPeer> AllowedPeers(List<object> objects, string app) =>
        objects.OfType<V1NetworkPolicy>()
            .Where(p => p.Spec.PodSelector.MatchLabels?.TryGetValue("app.kubernetes.io/name", out var name) == true && name == app)
            .SelectMany(p => p.Spec.Ingress ?? []).SelectMany(rule => rule.FromProperty ?? []).ToList();

    private static V1Deployment Api(List<object> objects) => objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "otpauth-api");

    /// <summary>The container's variables with ConfigMap references resolved and Secret references given stand-in values of the right shape.</summary>
    private static Dictionary<string, string> Environment(V1Deployment deployment, List<V1ConfigMap> configMaps)
    {
        var standIns = new Dictionary<string, string>
        {
            ["ConnectionStrings__otpauth"] = "Host=postgres;Database=otpauth;Username=otpauth;Password=stand-in",
            ["ConnectionStrings__redis"] = "redis:6379",
            ["ConnectionStrings__mail"] = "smtp://smtp.example.com:587",
            ["Jwt__KeyRingSecret"] = new string('k', 48),
            ["Otp__HashKey"] = new string('h', 48),
        };
        var result = new Dictionary<string, string>();
        foreach (var variable in deployment.Spec.Template.Spec.Containers[0].Env)
        {
            if (variable.ValueFrom?.ConfigMapKeyRef is { } configRef)
            {
                result[variable.Name] = configMaps.Single(c => c.Metadata.Name == configRef.Name).Data[configRef.Key];
            }
            else if (variable.ValueFrom?.SecretKeyRef is { } secretRef)
            {
                result[variable.Name] = standIns.TryGetValue(secretRef.Key, out var value)
                    ? value
                    : throw new InvalidOperationException($"The Deployment references secret key {secretRef.Key}, which this test has no stand-in for.");
            }
            else
            {
                result[variable.Name] = variable.Value ?? "";
            }
        }

        return result;
    }

    private static List<object> Render(string overlay)
    {
        var kubectl = Which("kubectl");
        Assert.SkipWhen(kubectl is null, "kubectl is not installed: the overlays cannot be rendered here");
        var (exit, output, error) = Run(kubectl!, $"kustomize {Path.Combine(Root, "deploy", "k8s", "overlays", overlay)}");
        Assert.True(exit == 0, $"kubectl kustomize {overlay} failed: {error}");
        return KubernetesYaml.LoadAllFromString(output);
    }

    private static async Task<JsonElement> PublishAspireManifestAsync()
    {
        var output = Directory.CreateTempSubdirectory("otpauth-manifest-");
        try
        {
            var project = Path.Combine(Root, "OtpAuth.AppHost");
            var (exit, _, error) = Run("dotnet", $"run --no-build --no-launch-profile --project \"{project}\" -- --publisher manifest --output-path \"{Path.Combine(output.FullName, "aspire-manifest.json")}\"");
            Assert.True(exit == 0, $"the manifest publisher failed: {error}");
            await using var stream = File.OpenRead(Path.Combine(output.FullName, "aspire-manifest.json"));
            return (await JsonDocument.ParseAsync(stream, cancellationToken: TestContext.Current.CancellationToken)).RootElement.Clone();
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static (int Exit, string Output, string Error) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", "timed out");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static string? Which(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OtpAuth.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (OtpAuth.sln) was not found above the test assembly.");
    }
}
