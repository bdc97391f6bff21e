namespace OtpAuth.Tests.Security;

/// <summary>
/// Tests that compare response times: they run by themselves, after the parallel ones, because on two cores another
/// test class's bursts would land on some samples and not on others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuietMachine
{
    public const string Name = "Quiet machine";
}
