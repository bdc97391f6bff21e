using Microsoft.EntityFrameworkCore;
using OtpAuth.Api.Registration;

namespace OtpAuth.Api.Users;

public sealed class OtpAuthDbContext(DbContextOptions<OtpAuthDbContext> options) : DbContext(options)
{
    /// <summary>The longest address RFC 5321 lets through (a path of 256 octets less the angle brackets).</summary>
    public const int MaxEmailLength = 254;

    public DbSet<User> Users => Set<User>();

    public DbSet<PendingRegistration> PendingRegistrations => Set<PendingRegistration>();

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
        user.Ignore(u => u.IsVerified);

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
    }
}
