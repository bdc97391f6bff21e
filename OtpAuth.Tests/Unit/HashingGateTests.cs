using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// The gate computes waiting requests together, and each caller still gets its own answer: right and wrong passwords,
/// hashes of two costs, new hashes that verify, all in one burst on one hashing thread.
/// </summary>
public sealed class HashingGateTests
{
    [Fact]
    public async Task A_burst_computed_together_answers_every_request_for_itself()
    {
        var options = Options.Create(new PasswordOptions { BcryptWorkFactor = 4, MaxConcurrentHashes = 1, InterleavedHashes = 4, HashQueueLimit = 100 });
        var hasher = new PasswordHasher(options);
        using var gate = new HashingGate(options, hasher);
        var token = TestContext.Current.CancellationToken;
        var passwords = Enumerable.Range(0, 12).Select(i => $"password number {i}").ToArray();
        // Every third stored hash has another cost, as one from before the work factor was raised.
        var stored = passwords.Select((password, i) => i % 3 == 2
            ? new PasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = 5 })).Hash(password)
            : hasher.Hash(password)).ToArray();

        var checks = passwords.Select((password, i) => gate.VerifyAsync(i % 2 == 0 ? password : password + "?", stored[i], token)).ToList();
        var dummies = passwords.Select(password => gate.VerifyAgainstDummyAsync(password, token)).ToList();
        var newHashes = passwords.Select(password => gate.HashAsync(password, token)).ToList();

        Assert.Equal(passwords.Select((_, i) => i % 2 == 0), await Task.WhenAll(checks));
        Assert.All(await Task.WhenAll(dummies), Assert.False);
        var hashes = await Task.WhenAll(newHashes);
        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.All(hashes.Zip(passwords), pair => Assert.True(hasher.Verify(pair.Second, pair.First)));
    }
}
