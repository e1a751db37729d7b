using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Incidents;

public enum IncidentSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

public enum IncidentStatus
{
    Open,
    Investigating,
    Resolved,
}

/// <summary>A security incident reported in an organization, with its status history in <see cref="IncidentTimelineEntry"/>.</summary>
public sealed class Incident : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Title { get; set; }
    public IncidentSeverity Severity { get; set; }
    public string? Description { get; set; }
    public string? Affected { get; set; }
    public IncidentStatus Status { get; set; }
    public string? ReportedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public int Version { get; set; } = 1;

    /// <summary>Forward through the spec's states; a resolved incident may be reopened for investigation.</summary>
    public static bool CanMove(IncidentStatus from, IncidentStatus to) => (from, to) switch
    {
        (IncidentStatus.Open, IncidentStatus.Investigating) => true,
        (IncidentStatus.Open, IncidentStatus.Resolved) => true,
        (IncidentStatus.Investigating, IncidentStatus.Resolved) => true,
        (IncidentStatus.Resolved, IncidentStatus.Investigating) => true,
        _ => false,
    };
}

/// <summary>One step of an incident's timeline: reported, or a status change, by whom and when.</summary>
public sealed class IncidentTimelineEntry : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string IncidentId { get; init; }
    public IncidentStatus? FromStatus { get; init; }
    public IncidentStatus ToStatus { get; init; }
    public string? Note { get; init; }
    public string? ActorUserId { get; init; }
    public DateTimeOffset At { get; init; }
}

public sealed record IncidentReported(string OrganizationId, string IncidentId, string Title, IncidentSeverity Severity, string? ReportedByUserId) : IDomainEvent;
public sealed record IncidentStatusChanged(string OrganizationId, string IncidentId, IncidentStatus From, IncidentStatus To) : IDomainEvent;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("Incidents");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Description).HasMaxLength(5000);
        builder.Property(e => e.Affected).HasMaxLength(2000);
        builder.Property(e => e.ReportedByUserId).HasMaxLength(40);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IncidentTimelineEntryConfiguration : IEntityTypeConfiguration<IncidentTimelineEntry>
{
    public void Configure(EntityTypeBuilder<IncidentTimelineEntry> builder)
    {
        builder.ToTable("IncidentTimelineEntries");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.IncidentId).HasMaxLength(40);
        builder.Property(e => e.Note).HasMaxLength(2000);
        builder.Property(e => e.ActorUserId).HasMaxLength(40);
        builder.HasIndex(e => new { e.IncidentId, e.Id });
        builder.HasOne<Incident>().WithMany().HasForeignKey(e => e.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}
