using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Usage;

/// <summary>
/// An operator's per-organization limits (the spec's "Enterprise: Custom"). A null field keeps the
/// tier's value; <see cref="Unlimited"/> (-1) lifts a limit entirely.
/// </summary>
public sealed class UsageLimitOverride : ITenantOwned
{
    public const long Unlimited = -1;

    public required string OrganizationId { get; init; }
    public long? ApiCallsPerDay { get; set; }
    public long? StorageBytes { get; set; }
    public long? BandwidthBytesPerMonth { get; set; }
    public int? Seats { get; set; }
    public int? Projects { get; set; }
    public int? RatePerMinute { get; set; }
    public int? Burst { get; set; }

    /// <summary>Overage mode: past the daily quota calls are served and counted as overage for billing instead of refused.</summary>
    public bool Overage { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Usage beyond a quota that overage mode served, per organization, metric and UTC day: what billing
/// charges. Rewritten at every flush from the day's total (total minus quota), so it is exact and a
/// retried flush cannot add twice.
/// </summary>
[NotAudited]
public sealed class UsageOverage : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Metric { get; init; }
    public DateTimeOffset PeriodStart { get; init; }
    public long Quantity { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class UsageOverageConfiguration : IEntityTypeConfiguration<UsageOverage>
{
    public void Configure(EntityTypeBuilder<UsageOverage> builder)
    {
        builder.ToTable("UsageOverages");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Metric).HasMaxLength(40);
        builder.HasIndex(e => new { e.OrganizationId, e.Metric, e.PeriodStart }).IsUnique();
    }
}

/// <summary>The metered quantities (decisions: "Usage").</summary>
public static class UsageMetric
{
    public const string ApiCalls = "api_calls";
    public const string RefusedCalls = "refused_calls";
    public const string BandwidthBytes = "bandwidth_bytes";
}

public enum UsageGranularity
{
    Minute,
    Hour,
    Day,
}

/// <summary>
/// One metric's total for one organization in one period. Flushes add to the minute, hour and day
/// rows at once (an atomic increment), so the coarser rows never depend on a later roll-up step.
/// </summary>
[NotAudited]
public sealed class UsageRollup : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Metric { get; init; }
    public UsageGranularity Granularity { get; init; }
    public DateTimeOffset PeriodStart { get; init; }
    public long Value { get; set; }
}

internal sealed class UsageLimitOverrideConfiguration : IEntityTypeConfiguration<UsageLimitOverride>
{
    public void Configure(EntityTypeBuilder<UsageLimitOverride> builder)
    {
        builder.ToTable("UsageLimitOverrides");
        builder.HasKey(e => e.OrganizationId);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
    }
}

internal sealed class UsageRollupConfiguration : IEntityTypeConfiguration<UsageRollup>
{
    public void Configure(EntityTypeBuilder<UsageRollup> builder)
    {
        builder.ToTable("UsageRollups");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Metric).HasMaxLength(40);
        builder.Property(e => e.Granularity).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(e => new { e.OrganizationId, e.Metric, e.Granularity, e.PeriodStart }).IsUnique();
        builder.HasIndex(e => new { e.Granularity, e.PeriodStart });
    }
}
