using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

public sealed record OrganizationUsageResponse(
    string OrganizationId, string Name, SubscriptionTier Tier, UsageMeter ApiCallsToday, UsageMeter BandwidthBytesThisMonth,
    UsageMeter StorageBytes, UsageMeter Seats, UsageMeter Projects);

public sealed record TopConsumer(string OrganizationId, string Name, SubscriptionTier Tier, long Used, long? Limit, decimal? Percent);

public sealed record TopConsumersResponse(string Metric, DateTimeOffset PeriodStart, IReadOnlyList<TopConsumer> Items);

/// <summary>
/// The operator's view across tenants (platform.organizations.read): every query here opts out of the
/// tenant filter on purpose and reads a page of organizations at a time, a few grouped queries per page.
/// Counts are the flushed ones (at most <c>Usage:FlushSeconds</c> behind) plus this node's pending ones.
/// </summary>
public sealed class AdminUsage(AppDb db, IUsageCounters counters)
{
    public const int MaxTop = 100;

    public async Task<Result<Page<OrganizationUsageResponse>>> AcrossTenantsAsync(int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!;
        var organizations = await db.Organizations.IgnoreQueryFilters().AsNoTracking().OrderBy(o => o.Id)
            .ToPageAsync(page.Value!, (q, after) => q.Where(o => string.Compare(o.Id, after) > 0), o => o.Id, o => o, cancellationToken);
        return new Page<OrganizationUsageResponse>(await MetersAcrossTenantsAsync(organizations.Items, cancellationToken), organizations.NextCursor);
    }

    /// <summary>The meters of the given organizations (the admin portal's filtered lists), in their order.</summary>
    public async Task<IReadOnlyList<OrganizationUsageResponse>> MetersAcrossTenantsAsync(IReadOnlyList<Organization> organizations, CancellationToken cancellationToken)
    {
        var (day, month, now) = Periods();
        var ids = organizations.Select(o => o.Id).ToList();
        var overrides = await db.Set<UsageLimitOverride>().IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.OrganizationId))
            .ToDictionaryAsync(o => o.OrganizationId, cancellationToken);
        var rows = await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => ids.Contains(r.OrganizationId) && r.Granularity == UsageGranularity.Day && r.PeriodStart >= month)
            .Select(r => new { r.OrganizationId, r.Metric, r.PeriodStart, r.Value }).ToListAsync(cancellationToken);
        var members = await CountByOrganizationAsync(db.Memberships.IgnoreQueryFilters().Where(m => ids.Contains(m.OrganizationId)).Select(m => m.OrganizationId), cancellationToken);
        var invited = await CountByOrganizationAsync(db.Invitations.IgnoreQueryFilters()
            .Where(i => ids.Contains(i.OrganizationId) && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now).Select(i => i.OrganizationId), cancellationToken);
        var projects = await CountByOrganizationAsync(db.Projects.IgnoreQueryFilters().Where(p => ids.Contains(p.OrganizationId)).Select(p => p.OrganizationId), cancellationToken);
        // As in UsageEventService.StorageBytesAsync: each product's latest gauge, reduced here.
        var storage = (await db.Set<UsageEvent>().IgnoreQueryFilters().AsNoTracking()
                .Where(e => ids.Contains(e.OrganizationId) && e.Metric == ReportedMetric.StorageBytes)
                .Select(e => new { e.OrganizationId, e.Product, e.OccurredAt, e.Id, e.Quantity }).ToListAsync(cancellationToken))
            .GroupBy(e => e.OrganizationId)
            .ToDictionary(g => g.Key, g => (long)g.GroupBy(e => e.Product).Sum(p => p.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).First().Quantity));

        return organizations.Select(o =>
        {
            var limits = UsageLimitsProvider.Apply(Plans.For(o.SubscriptionTier), overrides.GetValueOrDefault(o.Id));
            var calls = rows.Where(r => r.OrganizationId == o.Id && r.Metric == UsageMetric.ApiCalls && r.PeriodStart == day).Sum(r => r.Value)
                + counters.Pending(o.Id, day).Calls;
            var bandwidth = rows.Where(r => r.OrganizationId == o.Id && r.Metric == UsageMetric.BandwidthBytes).Sum(r => r.Value)
                + counters.Pending(o.Id, month).BandwidthBytes;
            return new OrganizationUsageResponse(o.Id, o.Name, o.SubscriptionTier, Meter(calls, limits.ApiCallsPerDay), Meter(bandwidth, limits.BandwidthBytesPerMonth),
                Meter(storage.GetValueOrDefault(o.Id), limits.StorageBytes), Meter(members.GetValueOrDefault(o.Id) + invited.GetValueOrDefault(o.Id), limits.Seats),
                Meter(projects.GetValueOrDefault(o.Id), limits.Projects));
        }).ToList();
    }

    /// <summary>The largest consumers of a counted metric in its current period: API and refused calls today, bandwidth this month.</summary>
    public async Task<Result<TopConsumersResponse>> TopAcrossTenantsAsync(string? metric, int? limit, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        metric ??= UsageMetric.ApiCalls;
        validation.When(metric is not (UsageMetric.ApiCalls or UsageMetric.RefusedCalls or UsageMetric.BandwidthBytes), "metric",
            "must be api_calls, refused_calls or bandwidth_bytes.");
        validation.When(limit is < 1 or > MaxTop, "limit", $"must be between 1 and {MaxTop}.");
        if (validation.Failed) return validation.ToError();
        var (day, month, _) = Periods();
        var start = metric == UsageMetric.BandwidthBytes ? month : day;
        var top = await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.Metric == metric && r.Granularity == UsageGranularity.Day && r.PeriodStart >= start)
            .GroupBy(r => r.OrganizationId).Select(g => new { OrganizationId = g.Key, Used = g.Sum(r => r.Value) })
            .OrderByDescending(g => g.Used).ThenBy(g => g.OrganizationId).Take(limit ?? 10).ToListAsync(cancellationToken);
        var ids = top.Select(t => t.OrganizationId).ToList();
        var organizations = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, cancellationToken);
        var overrides = await db.Set<UsageLimitOverride>().IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.OrganizationId))
            .ToDictionaryAsync(o => o.OrganizationId, cancellationToken);
        var items = top.Where(t => organizations.ContainsKey(t.OrganizationId)).Select(t =>
        {
            var organization = organizations[t.OrganizationId];
            var limits = UsageLimitsProvider.Apply(Plans.For(organization.SubscriptionTier), overrides.GetValueOrDefault(t.OrganizationId));
            long? quota = metric switch
            {
                UsageMetric.ApiCalls => limits.ApiCallsPerDay,
                UsageMetric.BandwidthBytes => limits.BandwidthBytesPerMonth,
                _ => null,
            };
            var meter = Meter(t.Used, quota);
            return new TopConsumer(t.OrganizationId, organization.Name, organization.SubscriptionTier, t.Used, meter.Limit, meter.Percent);
        }).ToList();
        return new TopConsumersResponse(metric, start, items);
    }

    private (DateTimeOffset Day, DateTimeOffset Month, DateTimeOffset Now) Periods()
    {
        var now = db.Clock.GetUtcNow();
        var day = InMemoryUsageLimiter.StartOfDay(now);
        return (day, new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero), now);
    }

    private static async Task<Dictionary<string, int>> CountByOrganizationAsync(IQueryable<string> organizationIds, CancellationToken cancellationToken) =>
        await organizationIds.GroupBy(id => id).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

    private static UsageMeter Meter(long used, long? limit) =>
        new(used, limit, limit is > 0 ? Math.Round((decimal)used / limit.Value, 4) : null);
}
