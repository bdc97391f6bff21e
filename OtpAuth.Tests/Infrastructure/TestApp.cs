namespace OtpAuth.Tests.Infrastructure;

/// <summary>What every app started by a test or a benchmark is given: a state folder of its own and its own secrets.</summary>
public static class TestApp
{
    // Given as parameters, so a run neither reads nor writes the values Aspire generated for a developer (it keeps them
    // in the AppHost's user secrets, which the testing builder shares).
    public const string JwtKeyRingSecret = "test-jwt-key-ring-secret-0123456789abcdefghijklmnopqrstuvwxyz";
    public const string OtpHashKey = "test-otp-hash-key-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string PostgresPassword = "test-postgres-password-0123456789";

    public static string[] Arguments(string stateDirectory) =>
    [
        $"Hosting:StateDirectory={stateDirectory}",
        $"Parameters:postgres-password={PostgresPassword}",
        $"Parameters:jwt-key-ring-secret={JwtKeyRingSecret}",
        $"Parameters:otp-hash-key={OtpHashKey}",
    ];
}
