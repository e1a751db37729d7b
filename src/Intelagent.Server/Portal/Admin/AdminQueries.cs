using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.Admin;

/// <summary>
/// The operator's cross-tenant reads that no module service offers in the shape the admin pages
/// need. Each runs inside <see cref="PortalSession.RunAsync{T}"/> under a platform permission
/// (named per method), so only an operator reaches them; each opts out of the tenant filter on purpose.
/// </summary>
internal static class AdminQueries
{
    /// <summary>The most organizations one admin list shows; past that the operator searches.</summary>
    public const int MaxOrganizations = 1000;

    /// <summary>
    /// Each organization's MRR from the finance engine, the same computation as <c>GET /api/financial/metrics</c>
    /// (the current month's end state of its ledger, in the reporting currency). The stored
    /// <c>Organization.Mrr</c> is only refreshed by billing's own events, so imported or generated
    /// histories leave it at zero. Behind platform.finance.read.
    /// </summary>
    public static async Task<Result<Dictionary<string, decimal>>> CurrentMrrAcrossTenantsAsync(IServiceProvider services, IReadOnlyCollection<string> organizationIds,
        CancellationToken cancellationToken)
    {
        var metrics = services.GetRequiredService<MetricsService>();
        var engine = await metrics.EngineAsync(cancellationToken);
        var month = metrics.CurrentMonth;
        return organizationIds.Distinct(StringComparer.Ordinal)
            .ToDictionary(id => id, id => Currencies.Round(engine.CustomerMrr(id, month), Currencies.Reporting), StringComparer.Ordinal);
    }

    /// <summary>Names of organizations by id, for the finance tables that know only ids (behind a platform permission).</summary>
    public static async Task<Dictionary<string, string>> NamesAcrossTenantsAsync(IServiceProvider services, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken) =>
        await services.GetRequiredService<AppDb>().Organizations.IgnoreQueryFilters().AsNoTracking()
            .Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

    /// <summary>
    /// The usage meters of organizations, filtered like the organizations list (name, tier), ordered
    /// by name, at most <see cref="MaxOrganizations"/>. Behind platform.organizations.read, as <c>GET /api/admin/usage</c>.
    /// </summary>
    public static async Task<Result<(IReadOnlyList<OrganizationUsageResponse> Items, bool More)>> UsageAcrossTenantsAsync(IServiceProvider services, string? search,
        SubscriptionTier? tier, CancellationToken cancellationToken)
    {
        var query = services.GetRequiredService<AppDb>().Organizations.IgnoreQueryFilters().AsNoTracking();
        if (tier is not null) query = query.Where(o => o.SubscriptionTier == tier);
        if (!string.IsNullOrWhiteSpace(search)) query = query.Where(o => o.Name.ToLower().Contains(search.ToLower()));
        var organizations = await query.OrderBy(o => o.Name).ThenBy(o => o.Id).Take(MaxOrganizations + 1).ToListAsync(cancellationToken);
        var shown = organizations.Take(MaxOrganizations).ToList();
        var meters = await services.GetRequiredService<AdminUsage>().MetersAcrossTenantsAsync(shown, cancellationToken);
        return (meters, organizations.Count > MaxOrganizations);
    }

    /// <summary>
    /// What <see cref="OrganizationHealth"/> reads for each organization: its meters, its API calls in
    /// the last two complete weeks, and its failed payments in the last 30 days. Behind platform.organizations.read.
    /// </summary>
    public static async Task<Dictionary<string, HealthSignals>> HealthSignalsAcrossTenantsAsync(IServiceProvider services, IReadOnlyCollection<string> organizationIds,
        CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var now = db.Clock.GetUtcNow();
        var today = InMemoryUsageLimiter.StartOfDay(now);
        var since = today.AddDays(-14);
        var organizations = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToListAsync(cancellationToken);
        var meters = (await services.GetRequiredService<AdminUsage>().MetersAcrossTenantsAsync(organizations, cancellationToken)).ToDictionary(m => m.OrganizationId);
        var calls = await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => organizationIds.Contains(r.OrganizationId) && r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day
                && r.PeriodStart >= since && r.PeriodStart < today)
            .Select(r => new { r.OrganizationId, r.PeriodStart, r.Value }).ToListAsync(cancellationToken);
        var failedSince = now.AddDays(-30);
        var failures = await db.Set<Payment>().IgnoreQueryFilters().AsNoTracking()
            .Where(p => organizationIds.Contains(p.OrganizationId) && p.Status == PaymentStatus.Failed && p.CreatedAt >= failedSince)
            .GroupBy(p => p.OrganizationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var recentStart = today.AddDays(-7);
        return organizations.ToDictionary(o => o.Id, o =>
        {
            var mine = calls.Where(c => c.OrganizationId == o.Id).ToList();
            return new HealthSignals(meters[o.Id], mine.Where(c => c.PeriodStart >= recentStart).Sum(c => c.Value),
                mine.Where(c => c.PeriodStart < recentStart).Sum(c => c.Value), failures.GetValueOrDefault(o.Id));
        });
    }
}
