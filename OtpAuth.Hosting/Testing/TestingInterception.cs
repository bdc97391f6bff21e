namespace OtpAuth.Hosting.Testing;

/// <summary>
/// Lets a test run an AppHost's own Program.cs up to <c>Build()</c> and take its model from there, the way
/// Aspire.Hosting.Testing does: <c>CreateBuilder</c> applies the test's options (random ports, a temporary
/// state folder) and <c>Build</c> hands the builder over and ends the AppHost's Main.
/// </summary>
internal sealed class TestingInterception(string[] testArgs, Action<DistributedApplicationOptions>? configure)
{
    private static readonly AsyncLocal<TestingInterception?> Ambient = new();
    private readonly TaskCompletionSource<DistributedApplicationBuilder> _builder = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TestingInterception? Current => Ambient.Value;

    public Task<DistributedApplicationBuilder> Builder => _builder.Task;

    public void Install() => Ambient.Value = this;

    public DistributedApplicationOptions CreateOptions(string[] args, string? appHostDirectory)
    {
        var options = new DistributedApplicationOptions
        {
            Args = [.. args, .. testArgs],
            ProjectDirectory = appHostDirectory,
            RandomizePorts = true,
            StateDirectory = Path.Combine(Path.GetTempPath(), $"otpauth-test-{Guid.NewGuid():N}"),
            DeleteStateOnDispose = true,
            WriteToConsole = false,
            StartTimeout = TimeSpan.FromMinutes(2),
        };
        configure?.Invoke(options);
        return options;
    }

    public static void HandOverIfIntercepted(DistributedApplicationBuilder builder)
    {
        if (Current is { } interception)
        {
            interception._builder.TrySetResult(builder);
            throw new AppHostEntryPointStopped();
        }
    }

    public void Fail(Exception error) => _builder.TrySetException(error);

    /// <summary>Unwinds the AppHost's Main once its model is taken; caught by the testing builder.</summary>
    internal sealed class AppHostEntryPointStopped : Exception;
}
