namespace OtpAuth.Hosting.Runtimes;

public sealed record PortMapping(int HostPort, int ContainerPort);

public sealed record VolumeMount(string VolumeName, string ContainerPath);

/// <summary>How to run a resource as a container: image, published ports (loopback only), environment, volumes.</summary>
public sealed record ContainerSpec(
    string Image,
    IReadOnlyList<PortMapping> Ports,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<VolumeMount> Volumes,
    IReadOnlyList<string>? Args = null,
    IReadOnlyCollection<string>? SecretEnvironment = null);
