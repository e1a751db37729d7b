using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Audit;

/// <summary>
/// The end of one organization's chain (or the platform chain). Sealers move it forward with a
/// conditional update on <see cref="LastSequence"/>, so two nodes never extend a chain from the same
/// link: the loser's transaction changes nothing and rolls back.
/// </summary>
[NotAudited]
public sealed class AuditChainHead
{
    public required string Chain { get; init; }
    public long LastSequence { get; set; }
    public string? LastHash { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Left by a retention purge: the sequence and hash of the last entry it removed, signed with the
/// chain key, so the rest of the chain verifies from here and a forged checkpoint does not.
/// </summary>
[NotAudited]
public sealed class AuditCheckpoint
{
    public required string Id { get; init; }
    public required string Chain { get; init; }
    public long Sequence { get; init; }
    public required string Hash { get; init; }
    public int PurgedEntries { get; init; }
    public DateTimeOffset PurgedBefore { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string Signature { get; init; }
    public required string KeyId { get; init; }

    public static string Canonical(string chain, long sequence, string hash, int purgedEntries, DateTimeOffset purgedBefore) =>
        $"audit-checkpoint-v1|{chain}|{sequence}|{hash}|{purgedEntries}|{purgedBefore.UtcTicks / 10}";
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("AuditChainHeads");
        builder.HasKey(e => e.Chain);
        builder.Property(e => e.Chain).HasMaxLength(40);
        builder.Property(e => e.LastHash).HasMaxLength(64);
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.ToTable("AuditCheckpoints");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Chain).HasMaxLength(40);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.Property(e => e.Signature).HasMaxLength(64);
        builder.Property(e => e.KeyId).HasMaxLength(16);
        builder.HasIndex(e => new { e.Chain, e.Sequence }).IsUnique();
    }
}
