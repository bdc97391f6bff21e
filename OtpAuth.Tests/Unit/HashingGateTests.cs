using Microsoft.Extensions.Options;
using OtpAuth.Api.Passwords;

namespace OtpAuth.Tests.Unit;

/// <summary>
/// The gate computes requests together, and each caller still gets its own answer: right and wrong passwords, hashes
/// of two costs, new hashes that verify, all in one burst on one hashing thread; a request joins a busy thread's lanes.
/// </summary>
public sealed class HashingGateTests
{
    [Fact]
    public async Task A_burst_computed_together_answers_every_request_for_itself()
    {
        var options = OneThread(cost: 4, lanes: 4, queue: 100);
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

    [Fact]
    public async Task A_hash_that_comes_while_the_thread_computes_a_costlier_one_joins_it_and_is_answered_first()
    {
        // One hashing thread with four lanes. The stored hash is of cost 12 (4096 rounds), the new one of cost 4 (16):
        // joined between two rounds, the new one ends thousands of rounds before the first rather than after it.
        var options = OneThread(cost: 4, lanes: 4, queue: 100);
        var hasher = new PasswordHasher(options);
        using var gate = new HashingGate(options, hasher);
        var token = TestContext.Current.CancellationToken;
        var costly = OtpAuth.Bcrypt.BcryptSetting.Create(12, new byte[OtpAuth.Bcrypt.BcryptSetting.SaltBytes]).Text + new string('.', 31);

        var slow = gate.VerifyAsync("a password", costly, token);
        var quick = gate.HashAsync("another password", token);

        Assert.True(hasher.Verify("another password", await quick));
        Assert.False(slow.IsCompleted, "the cost-4 hash was answered only after the cost-12 one");
        Assert.False(await slow);
    }

    [Fact]
    public async Task A_request_cancelled_while_it_waits_gives_its_queue_place_back()
    {
        // One hashing thread, one at a time, one queue place; cost 15 keeps the first hash busy for a second or more.
        var options = OneThread(cost: 15, lanes: 1, queue: 1);
        var hasher = new PasswordHasher(options);
        using var gate = new HashingGate(options, hasher);
        var token = TestContext.Current.CancellationToken;
        using var giveUp = new CancellationTokenSource();

        var computing = gate.HashAsync("the one being computed", token);
        var waiting = gate.HashAsync("the one that gives up", giveUp.Token);
        Assert.Throws<HashingBusyException>(gate.ThrowIfFull); // the permit and the one queue place are taken

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(computing.IsCompleted, "the first hash ended before the check: the queue place was not shown to come back");
        gate.ThrowIfFull(); // the place is free again while the first hash still runs
        var next = gate.HashAsync("the next one", token);

        Assert.True(hasher.Verify("the one being computed", await computing));
        Assert.True(hasher.Verify("the next one", await next));
    }

    /// <summary>A gate of one hashing thread with <paramref name="lanes"/> lanes and <paramref name="queue"/> queue places.</summary>
    private static IOptions<PasswordOptions> OneThread(int cost, int lanes, int queue) =>
        Options.Create(new PasswordOptions { BcryptWorkFactor = cost, MaxConcurrentHashes = 1, InterleavedHashes = lanes, HashQueueLimit = queue });
}
