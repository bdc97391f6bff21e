using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpAuth.Api.Auth;
using OtpAuth.Api.Users;
using StackExchange.Redis;

namespace OtpAuth.Api.Passkeys;

/// <summary>A passkey that signed: which one, whose, and whether it is synced (a software key) or bound to one device.</summary>
public sealed record PasskeyAssertion(Passkey Passkey, User User)
{
    /// <summary>RFC 8176: <c>swk</c> for a synced (backed-up) passkey, <c>hwk</c> for one bound to its device.</summary>
    public string KeyMethod => Passkey.BackedUp ? AuthenticationMethods.SoftwareKey : AuthenticationMethods.HardwareKey;
}

/// <summary>
/// The WebAuthn ceremonies, by Fido2 (fido2-net-lib): creation options and their answer, request options and their
/// answer. The options of a ceremony wait in Redis under a key of that ceremony only (an account's registration, a
/// sign-in's <c>flow_id</c>, an <c>mfa_token</c>) and are taken out by the answer, so a challenge works once, for its own
/// ceremony. An assertion must come from a passkey whose user handle is its account's and carry a signature counter
/// above the stored one (unless the authenticator keeps none: both zero).
/// </summary>
public sealed class PasskeyCeremonies(IFido2 fido2, OtpAuthDbContext db, IConnectionMultiplexer redis, IOptions<PasskeyOptions> options, TimeProvider clock)
{
    private TimeSpan ChallengeLifetime => TimeSpan.FromSeconds(options.Value.ChallengeSeconds);

    /// <summary>Creation options for a new passkey of the account (its others excluded), kept under <paramref name="key"/>.</summary>
    public async Task<string> CreationOptionsAsync(User user, RedisKey key, CancellationToken cancellationToken)
    {
        var handle = await HandleOfAsync(user, cancellationToken);
        var existing = await db.Passkeys.AsNoTracking().Where(p => p.UserId == user.Id).Select(p => p.CredentialId).ToListAsync(cancellationToken);
        var created = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = handle, Name = user.Email, DisplayName = user.Email },
            ExcludeCredentials = existing.Select(id => new PublicKeyCredentialDescriptor(id)).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Required, UserVerification = UserVerificationRequirement.Required },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = created.ToJson();
        await redis.GetDatabase().StringSetAsync(key, json, ChallengeLifetime);
        return json;
    }

    /// <summary>The authenticator's answer to the options under <paramref name="key"/> (taken out): the new passkey, not yet saved; null when it does not hold.</summary>
    public async Task<Passkey?> CreateAsync(User user, RedisKey key, JsonElement credential, string name, CancellationToken cancellationToken)
    {
        var stored = await redis.GetDatabase().StringGetDeleteAsync(key);
        if (stored.IsNullOrEmpty || Parse<AuthenticatorAttestationRawResponse>(credential) is not { } response)
        {
            return null;
        }

        try
        {
            var made = await fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(stored.ToString()),
                IsCredentialIdUniqueToUserCallback = async (args, token) => !await db.Passkeys.AnyAsync(p => p.CredentialId == args.CredentialId, token),
            }, cancellationToken);
            return new Passkey
            {
                UserId = user.Id,
                CredentialId = made.Id,
                PublicKey = made.PublicKey,
                SignCount = made.SignCount,
                Name = name,
                AaGuid = made.AaGuid,
                BackedUp = made.IsBackedUp,
                CreatedAt = clock.GetUtcNow(),
            };
        }
        catch (Fido2VerificationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Request options kept under <paramref name="key"/>: for a discoverable passkey of any account (no
    /// <paramref name="user"/>: nothing typed), or for the passkeys of <paramref name="user"/> (a second factor).
    /// </summary>
    public async Task<string> RequestOptionsAsync(User? user, RedisKey key, CancellationToken cancellationToken)
    {
        var allowed = user is null
            ? []
            : (await db.Passkeys.AsNoTracking().Where(p => p.UserId == user.Id).Select(p => p.CredentialId).ToListAsync(cancellationToken))
                .Select(id => new PublicKeyCredentialDescriptor(id)).ToList();
        var requested = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = allowed,
            UserVerification = UserVerificationRequirement.Required,
        });
        var json = requested.ToJson();
        await redis.GetDatabase().StringSetAsync(key, json, ChallengeLifetime);
        return json;
    }

    /// <summary>
    /// The answer to the request options under <paramref name="key"/> (taken out, right or wrong): the passkey and its
    /// account, its counter moved on; null when it does not hold, or when <paramref name="expectedUser"/> is given and
    /// the passkey is another account's.
    /// </summary>
    public async Task<PasskeyAssertion?> AssertAsync(RedisKey key, JsonElement credential, Guid? expectedUser, CancellationToken cancellationToken)
    {
        var stored = await redis.GetDatabase().StringGetDeleteAsync(key);
        if (stored.IsNullOrEmpty || Parse<AuthenticatorAssertionRawResponse>(credential) is not { RawId: { Length: > 0 } rawId } response)
        {
            return null;
        }

        var passkey = await db.Passkeys.SingleOrDefaultAsync(p => p.CredentialId == rawId, cancellationToken);
        var user = passkey is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == passkey.UserId, cancellationToken);
        if (passkey is null || user?.WebAuthnHandle is null || (expectedUser is { } expected && expected != user.Id))
        {
            return null;
        }

        VerifyAssertionResult verified;
        try
        {
            verified = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(stored.ToString()),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) =>
                    Task.FromResult(args.UserHandle.AsSpan().SequenceEqual(user.WebAuthnHandle) && args.CredentialId.AsSpan().SequenceEqual(passkey.CredentialId)),
            }, cancellationToken);
        }
        catch (Fido2VerificationException)
        {
            return null;
        }

        // The counter moves only forward, once per value: of two answers racing with one counter, one is refused.
        var (id, previous, now) = (passkey.Id, passkey.SignCount, clock.GetUtcNow());
        var moved = await db.Passkeys.Where(p => p.Id == id && p.SignCount == previous).ExecuteUpdateAsync(set => set
            .SetProperty(p => p.SignCount, (long)verified.SignCount)
            .SetProperty(p => p.BackedUp, verified.IsBackedUp)
            .SetProperty(p => p.LastUsedAt, now), cancellationToken);
        if (moved == 0)
        {
            return null;
        }

        passkey.BackedUp = verified.IsBackedUp;
        return new PasskeyAssertion(passkey, user);
    }

    /// <summary>The account's WebAuthn user handle, made (random) the first time.</summary>
    private async Task<byte[]> HandleOfAsync(User user, CancellationToken cancellationToken)
    {
        if (user.WebAuthnHandle is { } handle)
        {
            return handle;
        }

        var fresh = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var id = user.Id;
        await db.Users.Where(u => u.Id == id && u.WebAuthnHandle == null).ExecuteUpdateAsync(set => set.SetProperty(u => u.WebAuthnHandle, fresh), cancellationToken);
        return (await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.WebAuthnHandle).SingleAsync(cancellationToken))!;
    }

    /// <summary>The browser's JSON of a credential, read by Fido2's own converters; null when it is not one.</summary>
    private static T? Parse<T>(JsonElement credential) where T : class
    {
        try
        {
            return credential.ValueKind == JsonValueKind.Object ? JsonSerializer.Deserialize<T>(credential.GetRawText()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
