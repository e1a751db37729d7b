using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Score;

/// <summary>The score at one moment (daily, and whenever settings or retention change), so owners see it move.</summary>
[NotAudited]
public sealed class SecurityScoreSnapshot : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public int Score { get; init; }
    /// <summary>JSON object: category code to its points.</summary>
    public required string Categories { get; init; }
    /// <summary>Codes of the failed checks, separated by spaces.</summary>
    public required string FailedChecks { get; init; }
    public required string Reason { get; init; }
    /// <summary>The domain event that caused it: a redelivered event adds no second snapshot.</summary>
    public string? SourceEventId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The latest verification of an organization's audit chain, made by the daily score job.</summary>
[NotAudited]
public sealed class ChainVerificationState : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public bool Verified { get; set; }
    public string? Reason { get; set; }
    public int EntriesChecked { get; set; }
    public DateTimeOffset VerifiedAt { get; set; }
}

internal sealed class SecurityScoreSnapshotConfiguration : IEntityTypeConfiguration<SecurityScoreSnapshot>
{
    public void Configure(EntityTypeBuilder<SecurityScoreSnapshot> builder)
    {
        builder.ToTable("SecurityScoreSnapshots");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Categories).HasMaxLength(400);
        builder.Property(e => e.FailedChecks).HasMaxLength(1000);
        builder.Property(e => e.Reason).HasMaxLength(40);
        builder.Property(e => e.SourceEventId).HasMaxLength(40);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasIndex(e => e.SourceEventId).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChainVerificationStateConfiguration : IEntityTypeConfiguration<ChainVerificationState>
{
    public void Configure(EntityTypeBuilder<ChainVerificationState> builder)
    {
        builder.ToTable("AuditChainVerifications");
        builder.HasKey(e => e.OrganizationId);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Reason).HasMaxLength(400);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
