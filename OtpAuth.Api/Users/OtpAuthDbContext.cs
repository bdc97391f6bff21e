using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.EmailChange;
using OtpAuth.Api.Mfa;
using OtpAuth.Api.Passkeys;
using OtpAuth.Api.Registration;
using OtpAuth.Api.Sessions;
using OtpAuth.Api.Tokens;

namespace OtpAuth.Api.Users;

public sealed class OtpAuthDbContext(DbContextOptions<OtpAuthDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The longest address RFC 5321 lets through (a path of 256 octets less the angle brackets).</summary>
    public const int MaxEmailLength = 254;

    public DbSet<User> Users => Set<User>();

    public DbSet<PendingRegistration> PendingRegistrations => Set<PendingRegistration>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<EmailRevert> EmailReverts => Set<EmailRevert>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<Passkey> Passkeys => Set<Passkey>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    /// <summary>ASP.NET Core Data Protection's key ring, shared by every replica (encrypted: see <see cref="KeyRingEncryption"/>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var user = modelBuilder.Entity<User>();
        user.ToTable("users");
        user.HasKey(u => u.Id).HasName("pk_users");
        user.Property(u => u.Id).HasColumnName("id").ValueGeneratedNever();
        user.Property(u => u.Email).HasColumnName("email").HasMaxLength(MaxEmailLength);
        user.HasIndex(u => u.Email).IsUnique().HasDatabaseName("ix_users_email");
        user.Property(u => u.PasswordHash).HasColumnName("password_hash").HasMaxLength(100);
        user.Property(u => u.CreatedAt).HasColumnName("created_at");
        user.Property(u => u.VerifiedAt).HasColumnName("verified_at");
        user.Property(u => u.LastLoginAt).HasColumnName("last_login_at");
        user.Property(u => u.Language).HasColumnName("language").HasMaxLength(Email.MailLanguage.MaxLength).HasDefaultValue(Email.MailLanguage.Default);
        user.Ignore(u => u.IsVerified);
        user.Ignore(u => u.RequiresSecondFactor);
        user.Property(u => u.TotpSecret).HasColumnName("totp_secret");
        user.Property(u => u.TotpEnabledAt).HasColumnName("totp_enabled_at");
        user.Property(u => u.TotpLastStep).HasColumnName("totp_last_step").HasDefaultValue(0L);
        user.Property(u => u.WebAuthnHandle).HasColumnName("webauthn_handle");
        user.HasIndex(u => u.WebAuthnHandle).IsUnique().HasDatabaseName("ix_users_webauthn_handle");

        var recovery = modelBuilder.Entity<RecoveryCode>();
        recovery.ToTable("recovery_codes");
        recovery.HasKey(x => x.Id).HasName("pk_recovery_codes");
        recovery.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        recovery.Property(x => x.UserId).HasColumnName("user_id");
        recovery.HasIndex(x => new { x.UserId, x.Hash }).IsUnique().HasDatabaseName("ix_recovery_codes_user_id_hash");
        recovery.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).HasConstraintName("fk_recovery_codes_users").OnDelete(DeleteBehavior.Cascade);
        recovery.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(64);
        recovery.Property(x => x.CreatedAt).HasColumnName("created_at");
        recovery.Property(x => x.UsedAt).HasColumnName("used_at");

        var passkey = modelBuilder.Entity<Passkey>();
        passkey.ToTable("passkeys");
        passkey.HasKey(x => x.Id).HasName("pk_passkeys");
        passkey.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        passkey.Property(x => x.UserId).HasColumnName("user_id");
        passkey.HasIndex(x => x.UserId).HasDatabaseName("ix_passkeys_user_id");
        passkey.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).HasConstraintName("fk_passkeys_users").OnDelete(DeleteBehavior.Cascade);
        passkey.Property(x => x.CredentialId).HasColumnName("credential_id").HasMaxLength(1023);
        passkey.HasIndex(x => x.CredentialId).IsUnique().HasDatabaseName("ix_passkeys_credential_id");
        passkey.Property(x => x.PublicKey).HasColumnName("public_key");
        passkey.Property(x => x.SignCount).HasColumnName("sign_count");
        passkey.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        passkey.Property(x => x.AaGuid).HasColumnName("aaguid");
        passkey.Property(x => x.BackedUp).HasColumnName("backed_up");
        passkey.Property(x => x.CreatedAt).HasColumnName("created_at");
        passkey.Property(x => x.LastUsedAt).HasColumnName("last_used_at");

        var pending = modelBuilder.Entity<PendingRegistration>();
        pending.ToTable("pending_registrations");
        pending.HasKey(p => p.Id).HasName("pk_pending_registrations");
        pending.Property(p => p.Id).HasColumnName("id").ValueGeneratedNever();
        pending.Property(p => p.Email).HasColumnName("email").HasMaxLength(MaxEmailLength);
        pending.HasIndex(p => p.Email).HasDatabaseName("ix_pending_registrations_email");
        pending.HasIndex(p => p.ExpiresAt).HasDatabaseName("ix_pending_registrations_expires_at");
        pending.Property(p => p.PasswordHash).HasColumnName("password_hash").HasMaxLength(100);
        pending.Property(p => p.CreatedAt).HasColumnName("created_at");
        pending.Property(p => p.ExpiresAt).HasColumnName("expires_at");
        pending.Property(p => p.FailedAttempts).HasColumnName("failed_attempts");
        pending.Property(p => p.Language).HasColumnName("language").HasMaxLength(Email.MailLanguage.MaxLength).HasDefaultValue(Email.MailLanguage.Default);

        var session = modelBuilder.Entity<Session>();
        session.ToTable("sessions");
        session.HasKey(x => x.Id).HasName("pk_sessions");
        session.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        session.Property(x => x.UserId).HasColumnName("user_id");
        session.HasIndex(x => x.UserId).HasDatabaseName("ix_sessions_user_id");
        session.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).HasConstraintName("fk_sessions_users").OnDelete(DeleteBehavior.Cascade);
        session.Property(x => x.CreatedAt).HasColumnName("created_at");
        session.Property(x => x.LastUsedAt).HasColumnName("last_used_at");
        session.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        session.Property(x => x.AbsoluteExpiresAt).HasColumnName("absolute_expires_at");
        session.Property(x => x.RevokedAt).HasColumnName("revoked_at");
        session.Property(x => x.UserAgent).HasColumnName("user_agent").HasMaxLength(SessionStore.MaxUserAgentLength);
        session.Property(x => x.AuthenticatedAt).HasColumnName("authenticated_at");
        session.Property(x => x.AuthMethods).HasColumnName("auth_methods").HasMaxLength(64);

        var revert = modelBuilder.Entity<EmailRevert>();
        revert.ToTable("email_reverts");
        revert.HasKey(x => x.Id).HasName("pk_email_reverts");
        revert.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        revert.Property(x => x.UserId).HasColumnName("user_id");
        revert.HasIndex(x => x.UserId).HasDatabaseName("ix_email_reverts_user_id");
        revert.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).HasConstraintName("fk_email_reverts_users").OnDelete(DeleteBehavior.Cascade);
        revert.Property(x => x.Email).HasColumnName("email").HasMaxLength(MaxEmailLength);
        revert.HasIndex(x => x.Email).HasDatabaseName("ix_email_reverts_email");
        revert.Property(x => x.NewEmail).HasColumnName("new_email").HasMaxLength(MaxEmailLength);
        revert.Property(x => x.CreatedAt).HasColumnName("created_at");
        revert.Property(x => x.ExpiresAt).HasColumnName("expires_at");

        var refresh = modelBuilder.Entity<RefreshToken>();
        refresh.ToTable("refresh_tokens");
        refresh.HasKey(x => x.Hash).HasName("pk_refresh_tokens");
        refresh.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(43);
        refresh.Property(x => x.SessionId).HasColumnName("session_id");
        refresh.HasIndex(x => x.SessionId).HasDatabaseName("ix_refresh_tokens_session_id");
        refresh.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).HasConstraintName("fk_refresh_tokens_sessions").OnDelete(DeleteBehavior.Cascade);
        refresh.Property(x => x.CreatedAt).HasColumnName("created_at");
        refresh.Property(x => x.UsedAt).HasColumnName("used_at");
        refresh.Property(x => x.Answer).HasColumnName("answer");

        var key = modelBuilder.Entity<SigningKey>();
        key.ToTable("signing_keys");
        key.HasKey(x => x.Kid).HasName("pk_signing_keys");
        key.Property(x => x.Kid).HasColumnName("kid").HasMaxLength(32);
        key.Property(x => x.Issuer).HasColumnName("issuer").HasMaxLength(512);
        key.HasIndex(x => new { x.Issuer, x.SignUntil }).HasDatabaseName("ix_signing_keys_issuer_sign_until");
        key.Property(x => x.ProtectedPrivateKey).HasColumnName("protected_private_key");
        key.Property(x => x.CreatedAt).HasColumnName("created_at");
        key.Property(x => x.SignFrom).HasColumnName("sign_from");
        key.Property(x => x.SignUntil).HasColumnName("sign_until");
        key.Property(x => x.UnpublishAt).HasColumnName("unpublish_at");

        var ring = modelBuilder.Entity<DataProtectionKey>();
        ring.ToTable("data_protection_keys");
        ring.HasKey(x => x.Id).HasName("pk_data_protection_keys");
        ring.Property(x => x.Id).HasColumnName("id");
        ring.Property(x => x.FriendlyName).HasColumnName("friendly_name");
        ring.Property(x => x.Xml).HasColumnName("xml");
    }
}
