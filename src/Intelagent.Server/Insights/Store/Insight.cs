using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Insights.Store;

/// <summary>
/// One finding of one detector, kept across runs: one row per scope (an organization, or
/// <see cref="PlatformScope"/> for the operators' view), detector and fingerprint. A run that finds
/// it again refreshes its figures; a run that no longer finds it marks it no longer current, so the
/// history of what was claimed stays readable.
/// </summary>
[NotAudited]
[NoPersonalData("figures computed from counts; titles name organizations, not people")]
public sealed class Insight : ITenantOwned
{
    /// <summary>The scope of platform-level findings. Organization ids carry the org_ prefix, so it cannot collide.</summary>
    public const string PlatformScope = "platform";

    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Detector { get; init; }
    public required string Fingerprint { get; init; }
    public required string Type { get; set; }
    public required string Title { get; set; }
    public required string Description { get; set; }
    public double Confidence { get; set; }
    public required string Impact { get; set; }
    public string? Recommendation { get; set; }
    public string DataPointsJson { get; set; } = "{}";
    public decimal? AmountAtStake { get; set; }
    public string? Currency { get; set; }
    public double? UsageAtStake { get; set; }
    public DateTimeOffset DetectedAt { get; init; }
    public DateTimeOffset LastDetectedAt { get; set; }
    public bool IsCurrent { get; set; }
    public DateTimeOffset? NoLongerCurrentAt { get; set; }
}

/// <summary>A detector found something it had not claimed before (or had stopped claiming).</summary>
public sealed record InsightFound(string? OrganizationId, string InsightId, string Type, string Title, string Impact, double Confidence) : IDomainEvent;

internal sealed class InsightConfiguration : IEntityTypeConfiguration<Insight>
{
    public void Configure(EntityTypeBuilder<Insight> builder)
    {
        builder.ToTable("Insights");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Detector).HasMaxLength(80);
        builder.Property(e => e.Fingerprint).HasMaxLength(200);
        builder.Property(e => e.Type).HasMaxLength(40);
        builder.Property(e => e.Title).HasMaxLength(300);
        builder.Property(e => e.Description).HasMaxLength(2000);
        builder.Property(e => e.Impact).HasMaxLength(10);
        builder.Property(e => e.Recommendation).HasMaxLength(1000);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.HasIndex(e => new { e.OrganizationId, e.Detector, e.Fingerprint }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.IsCurrent, e.Id });
    }
}
