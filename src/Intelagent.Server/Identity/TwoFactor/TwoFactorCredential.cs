using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>
/// A user's TOTP authenticator (RFC 6238). The seed is encrypted with Data Protection (keys in the
/// database, shared by all nodes); recovery codes are stored as SHA-256 hashes. Not audited by the
/// hook (the last used step changes at every sign-in): enrolment and removal write explicit entries.
/// </summary>
[NotAudited]
public sealed class TwoFactorCredential
{
    public required string UserId { get; init; }
    [Secret] public required string ProtectedSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Null while enrolment awaits its first code.</summary>
    public DateTimeOffset? EnabledAt { get; set; }
    /// <summary>The last accepted time step: a code of this step or an earlier one is a replay.</summary>
    public long LastUsedTimeStep { get; set; }
    /// <summary>Hashes of the unused recovery codes, separated by spaces.</summary>
    [Secret] public string RecoveryCodeHashes { get; set; } = "";
}

internal sealed class TwoFactorCredentialConfiguration : IEntityTypeConfiguration<TwoFactorCredential>
{
    public void Configure(EntityTypeBuilder<TwoFactorCredential> builder)
    {
        builder.ToTable("TwoFactorCredentials");
        builder.HasKey(e => e.UserId);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.ProtectedSecret).HasMaxLength(1000);
        builder.Property(e => e.RecoveryCodeHashes).HasMaxLength(1000);
        builder.HasOne<User>().WithOne().HasForeignKey<TwoFactorCredential>(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
