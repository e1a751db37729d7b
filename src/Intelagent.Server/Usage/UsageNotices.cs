using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Usage;

/// <summary>
/// A threshold notice already delivered: a warning (<c>warning:api_calls:80</c>) or a user's alert
/// (<c>alert:ualrt_...</c>) in one period. The unique key makes "once per threshold and period" hold
/// across restarts and nodes: a second node's insert fails and it sends nothing.
/// </summary>
[NotAudited]
public sealed class UsageNotice : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Key { get; init; }
    public required string Period { get; init; }
    public long Used { get; init; }
    public DateTimeOffset SentAt { get; init; }
}

/// <summary>A member's own threshold on one metric, delivered to them as a notification once per period.</summary>
public sealed class UsageAlert : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Metric { get; init; }
    public required string Kind { get; init; }
    public decimal Threshold { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The quotas that warn and that alerts watch, with the period each one counts over.</summary>
public static class QuotaMetric
{
    public const string ApiCalls = UsageMetric.ApiCalls;
    public const string BandwidthBytes = UsageMetric.BandwidthBytes;
    public const string StorageBytes = ReportedMetric.StorageBytes;
    public const string Seats = "seats";
    public const string Projects = "projects";

    public static readonly IReadOnlyList<string> All = [ApiCalls, BandwidthBytes, StorageBytes, Seats, Projects];

    /// <summary>
    /// API calls reset daily and bandwidth monthly; storage, seats and projects are levels that never
    /// reset, so they warn at most once per calendar month (a reminder while the level stays high).
    /// </summary>
    public static string PeriodOf(string metric, DateTimeOffset now) => metric == ApiCalls
        ? now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
        : now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static string Describe(string metric) => metric switch
    {
        ApiCalls => "API calls today",
        BandwidthBytes => "bandwidth this month",
        StorageBytes => "storage",
        Seats => "seats",
        _ => "projects",
    };
}

/// <summary>An organization reached a share of one quota (80 or 100 percent) for the first time in the period.</summary>
public sealed record UsageThresholdReached(string OrganizationId, string Metric, int Percent, long Used, long Limit, string Period)
    : Platform.Events.IDomainEvent;

internal sealed class UsageNoticeConfiguration : IEntityTypeConfiguration<UsageNotice>
{
    public void Configure(EntityTypeBuilder<UsageNotice> builder)
    {
        builder.ToTable("UsageNotices");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Key).HasMaxLength(80);
        builder.Property(e => e.Period).HasMaxLength(10);
        builder.HasIndex(e => new { e.OrganizationId, e.Key, e.Period }).IsUnique();
    }
}

internal sealed class UsageAlertConfiguration : IEntityTypeConfiguration<UsageAlert>
{
    public void Configure(EntityTypeBuilder<UsageAlert> builder)
    {
        builder.ToTable("UsageAlerts");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Metric).HasMaxLength(40);
        builder.Property(e => e.Kind).HasMaxLength(10);
        builder.Property(e => e.Threshold).HasPrecision(28, 4);
        builder.Property(e => e.CreatedByUserId).HasMaxLength(40);
        builder.HasIndex(e => e.OrganizationId);
    }
}
