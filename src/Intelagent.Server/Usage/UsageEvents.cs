using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Usage;

/// <summary>
/// Usage a product reports (decisions: "Usage"): compute seconds and background jobs are sums over the
/// UTC month; storage bytes is a gauge where the latest report per product wins. The product's own
/// event id makes a retry harmless.
/// </summary>
[NotAudited]
public sealed class UsageEvent : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string EventId { get; init; }
    public required string Metric { get; init; }
    public required string Product { get; init; }
    public decimal Quantity { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}

public static class ReportedMetric
{
    public const string ComputeSeconds = "compute_seconds";
    public const string StorageBytes = "storage_bytes";
    public const string BackgroundJobs = "background_jobs";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([ComputeSeconds, StorageBytes, BackgroundJobs]);
}

internal sealed class UsageEventConfiguration : IEntityTypeConfiguration<UsageEvent>
{
    public void Configure(EntityTypeBuilder<UsageEvent> builder)
    {
        builder.ToTable("UsageEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.EventId).HasMaxLength(100);
        builder.Property(e => e.Metric).HasMaxLength(40);
        builder.Property(e => e.Product).HasMaxLength(100);
        builder.Property(e => e.Quantity).HasPrecision(28, 6);
        builder.HasIndex(e => new { e.OrganizationId, e.EventId }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.Metric, e.OccurredAt });
    }
}

public sealed record UsageEventItem(string? Id, string? Metric, decimal? Quantity, string? Product, DateTimeOffset? OccurredAt);

public sealed record ReportUsageRequest(IReadOnlyList<UsageEventItem>? Events);

public sealed record ReportUsageResponse(int Accepted, int Duplicates);

/// <summary>Validates and stores a batch of reported usage, all or nothing, idempotent by event id.</summary>
public sealed class UsageEventService(AppDb db)
{
    public const int MaxBatch = 1000;

    public async Task<Result<ReportUsageResponse>> ReportAsync(ReportUsageRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var events = request.Events ?? [];
        validation.When(events.Count == 0, "events", "must hold at least one event.");
        validation.When(events.Count > MaxBatch, "events", $"may hold at most {MaxBatch} events per batch.");
        var now = db.Clock.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count && i < MaxBatch; i++)
        {
            var item = events[i];
            validation.RequiredText($"events[{i}].id", item.Id, 100);
            validation.When(item.Id is not null && !seen.Add(item.Id), $"events[{i}].id", "appears twice in the batch.");
            validation.When(item.Metric is null || !ReportedMetric.All.Contains(item.Metric), $"events[{i}].metric",
                "must be compute_seconds, storage_bytes or background_jobs.");
            validation.When(item.Quantity is null or < 0, $"events[{i}].quantity", "is required and must not be negative.");
            validation.RequiredText($"events[{i}].product", item.Product, 100);
            validation.When(item.OccurredAt > now.AddMinutes(5), $"events[{i}].occurredAt", "must not be in the future.");
        }
        if (validation.Failed) return validation.ToError();

        var ids = events.Select(e => e.Id!).ToList();
        var known = (await db.Set<UsageEvent>().Where(e => ids.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(cancellationToken)).ToHashSet();
        var fresh = events.Where(e => !known.Contains(e.Id!)).ToList();
        foreach (var item in fresh)
            db.Set<UsageEvent>().Add(new UsageEvent
            {
                OrganizationId = db.Request.OrganizationId!,
                EventId = item.Id!,
                Metric = item.Metric!,
                Product = item.Product!.Trim(),
                Quantity = item.Quantity!.Value,
                OccurredAt = item.OccurredAt ?? now,
                ReceivedAt = now,
            });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            return Error.Conflict("concurrent_report", "Another request stored some of these events at the same moment; retry the batch (stored events are skipped).");
        }
        return new ReportUsageResponse(fresh.Count, events.Count - fresh.Count);
    }

    /// <summary>The storage gauge: each product's latest report, summed.</summary>
    public async Task<long> StorageBytesAsync(CancellationToken cancellationToken)
    {
        // Read in full and reduced here: SQLite cannot translate "first per group"; reports are few per product.
        var reports = await db.Set<UsageEvent>().AsNoTracking().Where(e => e.Metric == ReportedMetric.StorageBytes)
            .Select(e => new { e.Product, e.OccurredAt, e.Id, e.Quantity }).ToListAsync(cancellationToken);
        return (long)reports.GroupBy(e => e.Product).Sum(g => g.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).First().Quantity);
    }

    public async Task<decimal> SumSinceAsync(string metric, DateTimeOffset since, CancellationToken cancellationToken) =>
        (await db.Set<UsageEvent>().AsNoTracking().Where(e => e.Metric == metric && e.OccurredAt >= since)
            .Select(e => e.Quantity).ToListAsync(cancellationToken)).Sum();
}
