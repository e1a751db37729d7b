using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Realtime.Activity;

/// <summary>
/// One line of an organization's activity feed: who changed what, and when. Written from domain
/// events after they commit (one per event: <see cref="SourceEventId"/> makes a redelivery harmless).
/// </summary>
[NotAudited]
public sealed class ActivityEntry : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string SourceEventId { get; init; }
    public string? ActorUserId { get; init; }
    public string? ActorName { get; init; }
    public required string Action { get; init; }
    public required string TargetType { get; init; }
    public required string TargetId { get; init; }
    public string? TargetName { get; init; }
    public string? Details { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class ActivityEntryConfiguration : IEntityTypeConfiguration<ActivityEntry>
{
    public void Configure(EntityTypeBuilder<ActivityEntry> builder)
    {
        builder.ToTable("ActivityEntries");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.SourceEventId).HasMaxLength(40);
        builder.Property(e => e.ActorUserId).HasMaxLength(40);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(60);
        builder.Property(e => e.TargetType).HasMaxLength(40);
        builder.Property(e => e.TargetId).HasMaxLength(40);
        builder.Property(e => e.TargetName).HasMaxLength(320);
        builder.Property(e => e.Details).HasMaxLength(4000);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasIndex(e => e.SourceEventId).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
