using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>Who may receive a realtime event.</summary>
public enum RealtimeAudience
{
    /// <summary>Members of the organization who hold the event's permission (every member when it has none).</summary>
    Organization = 0,
    /// <summary>Members of one team (<see cref="RealtimeEvent.AudienceId"/>).</summary>
    Team = 1,
    /// <summary>One user (<see cref="RealtimeEvent.AudienceId"/>), while a member of the organization.</summary>
    User = 2,
    /// <summary>Platform operators.</summary>
    Operators = 3,
}

/// <summary>
/// One event of the realtime stream, kept for a bounded window so that a client that reconnects (to
/// any node) can ask for what it missed. Ids sort in commit order (see <see cref="RealtimePublisher"/>).
/// </summary>
[NotAudited]
public sealed class RealtimeEvent : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Type { get; init; }
    public RealtimeAudience Audience { get; init; }
    public string? AudienceId { get; init; }
    public string? Permission { get; init; }
    public required string Payload { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The domain event this was made from, with type and audience: the outbox delivers at least
    /// once, and a redelivered event must not be published twice.
    /// </summary>
    public string? SourceKey { get; init; }
}

internal sealed class RealtimeEventConfiguration : IEntityTypeConfiguration<RealtimeEvent>
{
    public void Configure(EntityTypeBuilder<RealtimeEvent> builder)
    {
        builder.ToTable("RealtimeEvents");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(60);
        builder.Property(e => e.AudienceId).HasMaxLength(40);
        builder.Property(e => e.Permission).HasMaxLength(60);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.Property(e => e.SourceKey).HasMaxLength(160);
        builder.HasIndex(e => e.CreatedAt);
        builder.HasIndex(e => e.SourceKey).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
