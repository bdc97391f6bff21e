using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OtpAuth.Api.Users;

namespace OtpAuth.Api.Tokens;

/// <summary>A published public key, as <c>/.well-known/jwks.json</c> lists it (RFC 7517).</summary>
public sealed record PublicJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

/// <summary>
/// The Api's ES256 signing keys, shared by every replica through PostgreSQL (table <c>signing_keys</c>, private keys
/// encrypted by Data Protection). <see cref="RotateAndLoadAsync"/> keeps the schedule: one key signs for
/// <c>Jwt:KeyRotationDays</c>; its successor is created and published a quarter of that before it takes over (so every
/// replica and every JwtBearer's cached JWKS knows it first); a retired key stays published until the last token it
/// signed has expired. Reads come from an in-memory snapshot, so validating a token costs no round trip.
/// </summary>
public sealed partial class SigningKeyRing(
    IServiceScopeFactory scopes, IDataProtectionProvider dataProtection, IOptions<JwtOptions> options, TimeProvider clock, ILogger<SigningKeyRing> logger)
{
    /// <summary>"OtpKey" in ASCII: the advisory lock under which one replica at a time adds keys.</summary>
    private const long RotationLockKey = 0x4F74704B6579;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OtpAuth.Tokens.SigningKey.v1");
    private volatile Snapshot _snapshot = new([]);
    private readonly ConcurrentDictionary<string, byte> _unreadable = new();

    /// <summary>How often each replica checks the schedule and reloads the ring.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, options.Value.KeyRotation.Ticks / 20));

    /// <summary>The key that signs now.</summary>
    public SigningCredentials Current()
    {
        var now = clock.GetUtcNow();
        var key = _snapshot.Keys.Where(k => k.Row.SignFrom <= now && now < k.Row.SignUntil).MaxBy(k => k.Row.SignFrom)
            ?? throw new InvalidOperationException("No signing key is active: the key ring has not been loaded.");
        return new SigningCredentials(key.Key, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>The published key with this <c>kid</c>, if any; nothing for an unknown or unpublished one.</summary>
    public IEnumerable<SecurityKey> Resolve(string? kid)
    {
        var now = clock.GetUtcNow();
        return _snapshot.Keys.Where(k => k.Row.Kid == kid && k.Row.UnpublishAt > now).Select(k => (SecurityKey)k.Key);
    }

    public IReadOnlyList<PublicJwk> Published()
    {
        var now = clock.GetUtcNow();
        return _snapshot.Keys.Where(k => k.Row.UnpublishAt > now).OrderBy(k => k.Row.SignFrom).Select(k => k.Jwk).ToList();
    }

    private static readonly TimeSpan RotationCommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Adds the keys the schedule calls for (one replica at a time), then reloads the snapshot.</summary>
    public async Task RotateAndLoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtpAuthDbContext>();
        // A background pass, not a request: it may wait its turn for the lock behind every other replica starting at
        // once, longer than the command timeout that bounds a request's wait for a silent server.
        db.Database.SetCommandTimeout(RotationCommandTimeout);
        var jwt = options.Value;
        // Each key decrypted at most once a pass: the newest usable one is looked for here, then loaded into the snapshot.
        var resolved = new Dictionary<string, LoadedKey?>();
        LoadedKey? Usable(SigningKey row) => resolved.TryGetValue(row.Kid, out var key) ? key : resolved[row.Kid] = Resolve(row);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RotationLockKey})", cancellationToken);
            var now = clock.GetUtcNow();
            // The newest key this replica can decrypt: one it cannot (another Jwt:KeyRingSecret, a restored database)
            // signs nothing and is never a predecessor, so the schedule goes on with keys of its own.
            var keys = await db.SigningKeys.Where(k => k.Issuer == jwt.Issuer).OrderByDescending(k => k.SignUntil).ToListAsync(cancellationToken);
            var latest = keys.FirstOrDefault(row => Usable(row) is not null);
            if (latest is null || latest.SignUntil <= now)
            {
                latest = Add(db, jwt, now, now);
            }

            if (latest.SignUntil - now <= jwt.KeyRotation / 4)
            {
                Add(db, jwt, now, latest.SignUntil);
            }

            await db.SaveChangesAsync(cancellationToken);
            await db.SigningKeys.Where(k => k.Issuer == jwt.Issuer && k.UnpublishAt <= now).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        var rows = await db.SigningKeys.AsNoTracking().Where(k => k.Issuer == jwt.Issuer).ToListAsync(cancellationToken);
        _snapshot = new Snapshot(rows.Select(Usable).OfType<LoadedKey>().ToList());
    }

    /// <summary>The key as loaded before, else decrypted now; null (and a warning, once) when it cannot be decrypted.</summary>
    private LoadedKey? Resolve(SigningKey row)
    {
        if (_snapshot.Keys.FirstOrDefault(k => k.Row.Kid == row.Kid) is { } known)
        {
            return known;
        }

        try
        {
            return Load(row);
        }
        catch (CryptographicException exception)
        {
            if (_unreadable.TryAdd(row.Kid, 0))
            {
                LogUnreadable(row.Kid, exception.Message);
            }

            return null;
        }
    }

    private SigningKey Add(OtpAuthDbContext db, JwtOptions jwt, DateTimeOffset now, DateTimeOffset signFrom)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signUntil = signFrom + jwt.KeyRotation;
        var key = new SigningKey
        {
            Kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
            Issuer = jwt.Issuer,
            ProtectedPrivateKey = _protector.Protect(Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())),
            CreatedAt = now,
            SignFrom = signFrom,
            SignUntil = signUntil,
            UnpublishAt = signUntil + jwt.AccessTokenLifetime + TokenIssuer.ClockSkew,
        };
        db.SigningKeys.Add(key);
        LogKeyAdded(key.Kid, key.SignFrom, key.SignUntil, key.UnpublishAt);
        return key;
    }

    private LoadedKey Load(SigningKey row)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(_protector.Unprotect(row.ProtectedPrivateKey)), out _);
        var publicPart = ecdsa.ExportParameters(includePrivateParameters: false);
        var jwk = new PublicJwk("EC", "P-256", Base64UrlEncoder.Encode(publicPart.Q.X), Base64UrlEncoder.Encode(publicPart.Q.Y), row.Kid, "sig", "ES256");
        return new LoadedKey(row, new ECDsaSecurityKey(ecdsa) { KeyId = row.Kid }, jwk);
    }

    private sealed record LoadedKey(SigningKey Row, ECDsaSecurityKey Key, PublicJwk Jwk);

    private sealed record Snapshot(IReadOnlyList<LoadedKey> Keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing key {Kid} cannot be decrypted ({Reason}): Jwt:KeyRingSecret or the Data Protection key ring changed since it was made. It is not used; tokens it signed are refused")]
    private partial void LogUnreadable(string kid, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing key {Kid} added: signs from {SignFrom:o} until {SignUntil:o}, published until {UnpublishAt:o}")]
    private partial void LogKeyAdded(string kid, DateTimeOffset signFrom, DateTimeOffset signUntil, DateTimeOffset unpublishAt);
}

/// <summary>
/// Loads the ring before the server listens (so the first login can sign), then keeps to its schedule. A database that
/// does not answer in time at start is waited for, as the migrator waits for it: the Api starts once it does.
/// </summary>
internal sealed partial class SigningKeyRotation(SigningKeyRing ring, ILogger<SigningKeyRotation> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAtStart = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await ring.RotateAndLoadAsync(cancellationToken);
                break;
            }
            catch (Exception exception) when (Infrastructure.ProblemDetailsSetup.IsDatabaseUnavailable(exception) && !cancellationToken.IsCancellationRequested)
            {
                LogRotationFailed(exception.GetType().Name);
                await Task.Delay(RetryAtStart, cancellationToken);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ring.CheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ring.RotateAndLoadAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // PostgreSQL down: the loaded keys keep working (the next key was published ahead); try again next tick.
                LogRotationFailed(exception.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the signing key schedule ({ErrorType}); trying again next round")]
    private partial void LogRotationFailed(string errorType);
}
