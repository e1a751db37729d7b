using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>
/// Keeps one built <see cref="MetricsEngine"/> per node. Each read compares a cheap fingerprint of
/// the inputs (row counts and latest change times) with the one the engine was built from, so a
/// change made on another node, or by billing, is seen on the next read without a message bus.
/// </summary>
public sealed class MetricsCache
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (MetricsEngine Engine, string Fingerprint)? _current;

    public void Invalidate() => _current = null;

    public async Task<MetricsEngine> GetAsync(AppDb db, Month through, CancellationToken cancellationToken)
    {
        var fingerprint = await FingerprintAsync(db, through, cancellationToken);
        if (_current is { } hit && hit.Fingerprint == fingerprint) return hit.Engine;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && again.Fingerprint == fingerprint) return again.Engine;
            var engine = new MetricsEngine(await LoadAcrossTenantsAsync(db, cancellationToken), through);
            _current = (engine, fingerprint);
            return engine;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<string> FingerprintAsync(AppDb db, Month through, CancellationToken cancellationToken)
    {
        var ledger = db.Set<SubscriptionEvent>().IgnoreQueryFilters();
        var ledgerCount = await ledger.CountAsync(cancellationToken);
        var ledgerLatest = ledgerCount == 0 ? null : await ledger.OrderByDescending(e => e.Id).Select(e => e.Id).FirstOrDefaultAsync(cancellationToken);
        var costs = await db.Set<CostEntry>().CountAsync(cancellationToken);
        var costsChanged = costs == 0 ? null : (DateTimeOffset?)(await db.Set<CostEntry>().Select(c => c.UpdatedAt).ToListAsync(cancellationToken)).Max();
        var cash = await db.Set<CashBalance>().Select(c => new { c.Month, c.Balance, c.Currency }).ToListAsync(cancellationToken);
        var spend = await db.Set<AcquisitionSpend>().Select(c => new { c.Month, c.Amount, c.Currency }).ToListAsync(cancellationToken);
        var rates = await db.Set<ExchangeRate>().Select(c => new { c.Month, c.RateToReporting, c.Currency }).ToListAsync(cancellationToken);
        var segments = await db.Set<FinancialCustomer>().IgnoreQueryFilters().CountAsync(cancellationToken);
        return string.Join('|', through, ledgerCount, ledgerLatest, costs, costsChanged?.UtcTicks, segments,
            string.Join(',', cash), string.Join(',', spend), string.Join(',', rates));
    }

    /// <summary>Every organization's ledger and the operator's tables: the one deliberate cross-tenant read of the module.</summary>
    public static async Task<MetricsInput> LoadAcrossTenantsAsync(AppDb db, CancellationToken cancellationToken)
    {
        var customers = await db.Set<FinancialCustomer>().IgnoreQueryFilters().AsNoTracking()
            .Select(c => new CustomerInfo(c.OrganizationId, c.Segment ?? MetricsDefaults.UnknownSegment)).ToListAsync(cancellationToken);
        var rows = await db.Set<SubscriptionEvent>().IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
        var ledger = rows.OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Select((e, i) => new LedgerEntry(e.OrganizationId, e.SubscriptionId, e.Type, e.At, e.Product, e.Tier, e.Interval, e.Amount, e.Currency,
                e.Quantity, e.DiscountPercent, e.TrialEndsAt, i))
            .ToList();
        var costs = (await db.Set<CostEntry>().AsNoTracking().ToListAsync(cancellationToken))
            .Select(c => new CostItem(MonthOf(c.Month), c.Category, c.Product, c.OrganizationId, c.Amount, c.Currency)).ToList();
        var cash = (await db.Set<CashBalance>().AsNoTracking().ToListAsync(cancellationToken))
            .Select(c => new MonthAmount(MonthOf(c.Month), c.Balance, c.Currency)).ToList();
        var spend = (await db.Set<AcquisitionSpend>().AsNoTracking().ToListAsync(cancellationToken))
            .Select(c => new MonthAmount(MonthOf(c.Month), c.Amount, c.Currency)).ToList();
        var rates = (await db.Set<ExchangeRate>().AsNoTracking().ToListAsync(cancellationToken))
            .Select(r => new FxRate(MonthOf(r.Month), r.Currency, r.RateToReporting)).ToList();
        var usage = (await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
                .Where(u => u.Metric == UsageMetric.ApiCalls && u.Granularity == UsageGranularity.Day)
                .Select(u => new { u.OrganizationId, u.PeriodStart, u.Value }).ToListAsync(cancellationToken))
            .GroupBy(u => (u.OrganizationId, Month.Of(u.PeriodStart)))
            .Select(g => new UsageWeight(g.Key.Item2, g.Key.OrganizationId, g.Sum(u => (decimal)u.Value))).ToList();
        return new MetricsInput(customers, ledger, costs, cash, spend, rates, usage);
    }

    private static Month MonthOf(string text) => Month.TryParse(text, out var month) ? month : throw new InvalidOperationException($"Stored month '{text}' is not yyyy-MM.");
}
