using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>
/// Overage mode's books: after a flush, an organization in overage mode gets today's API calls beyond
/// its daily quota written to <see cref="UsageOverage"/> (one row per organization, metric and day),
/// the table billing reads. The row is set from the flushed total, never incremented, so it is exact.
/// </summary>
public sealed class UsageOverages(AppDb db, UsageLimitsProvider limitsProvider)
{
    /// <summary>Records one organization's overage; the scope's request context must be set to it.</summary>
    public async Task RecordAsync(string organizationId, CancellationToken cancellationToken)
    {
        if (await limitsProvider.ForAsync(organizationId, cancellationToken) is not { Override.Overage: true, Limits.ApiCallsPerDay: { } quota }) return;
        var now = db.Clock.GetUtcNow();
        var day = InMemoryUsageLimiter.StartOfDay(now);
        var calls = await db.Set<UsageRollup>().AsNoTracking()
            .Where(r => r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day && r.PeriodStart == day)
            .SumAsync(r => r.Value, cancellationToken);
        var beyond = Math.Max(0, calls - quota);
        var row = await db.Set<UsageOverage>().FirstOrDefaultAsync(o => o.Metric == UsageMetric.ApiCalls && o.PeriodStart == day, cancellationToken);
        if (beyond == 0 && row is null) return;
        if (row is null)
            db.Set<UsageOverage>().Add(row = new UsageOverage { OrganizationId = organizationId, Metric = UsageMetric.ApiCalls, PeriodStart = day });
        row.Quantity = beyond;
        row.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
    }
}
