using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Finance;

/// <summary>
/// "What's driving our cost increase?": the change between two periods, split three ways. At platform
/// scope the costs are the company's cost entries (by product, category and customer; entries not
/// booked to a customer are "shared"); at organization scope they are what the organization was
/// invoiced (by product and line kind). Everything is converted to the reporting currency with the
/// metrics engine's rates (an amount in a currency without a rate counts as zero, as in the metrics).
/// Within each dimension the drivers' changes add up exactly to the total change.
/// </summary>
public sealed class CostDriverAnalysis(MetricsCache metrics, TimeProvider clock) : ICostDriverAnalysis
{
    public const string Shared = "shared";

    private sealed record Amount(DateTimeOffset At, decimal Value, string Product, string Category, string? Customer);

    public async Task<CostChangeDecomposition> DecomposeAsync(AppDb db, InsightScope scope, DateTimeOffset currentFrom, DateTimeOffset currentTo,
        DateTimeOffset previousFrom, DateTimeOffset previousTo, CancellationToken cancellationToken)
    {
        var from = previousFrom < currentFrom ? previousFrom : currentFrom;
        var to = previousTo > currentTo ? previousTo : currentTo;
        var engine = await metrics.GetAsync(db, Month.Of(clock.GetUtcNow()), cancellationToken);
        var amounts = scope.IsPlatform
            ? await CompanyCostsAsync(db, engine, from, to, cancellationToken)
            : await InvoicedAsync(db, engine, scope.OrganizationId!, from, to, cancellationToken);
        var previous = amounts.Where(a => a.At >= previousFrom && a.At < previousTo).ToList();
        var current = amounts.Where(a => a.At >= currentFrom && a.At < currentTo).ToList();
        var previousTotal = previous.Sum(a => a.Value);
        var currentTotal = current.Sum(a => a.Value);
        var names = scope.IsPlatform ? await NamesAsync(db, current.Concat(previous), cancellationToken) : [];
        var drivers = new List<CostDriver>();
        drivers.AddRange(Split("product", previous, current, a => a.Product, k => k, currentTotal - previousTotal));
        drivers.AddRange(Split("category", previous, current, a => a.Category, k => k, currentTotal - previousTotal));
        if (scope.IsPlatform)
            drivers.AddRange(Split("customer", previous, current, a => a.Customer ?? Shared,
                k => k == Shared ? "Shared (not booked to a customer)" : names.GetValueOrDefault(k, k), currentTotal - previousTotal));
        return new CostChangeDecomposition(Currencies.Reporting, previousTotal, currentTotal, drivers);
    }

    private static IEnumerable<CostDriver> Split(string dimension, List<Amount> previous, List<Amount> current, Func<Amount, string> key,
        Func<string, string> label, decimal totalChange)
    {
        var before = previous.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Value), StringComparer.Ordinal);
        var after = current.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Value), StringComparer.Ordinal);
        return before.Keys.Union(after.Keys, StringComparer.Ordinal)
            .Select(k =>
            {
                var change = after.GetValueOrDefault(k) - before.GetValueOrDefault(k);
                return new CostDriver(dimension, k, label(k), before.GetValueOrDefault(k), after.GetValueOrDefault(k), change,
                    totalChange == 0m ? null : (double)(change / totalChange));
            })
            .OrderByDescending(d => Math.Abs(d.Change)).ThenBy(d => d.Key, StringComparer.Ordinal);
    }

    /// <summary>Cost entries are monthly: a month belongs to a period when the month's first instant does.</summary>
    private static async Task<List<Amount>> CompanyCostsAsync(AppDb db, MetricsEngine engine, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var months = new List<string>();
        for (var month = Month.Of(from); month.Start < to; month = month.Next)
            if (month.Start >= from) months.Add(month.ToString());
        var entries = await db.Set<CostEntry>().AsNoTracking().Where(c => months.Contains(c.Month)).ToListAsync(cancellationToken);
        return entries.Select(c =>
        {
            Month.TryParse(c.Month, out var month);
            return new Amount(month.Start, c.Amount * engine.RateOf(c.Currency, month), c.Product, c.Category, c.OrganizationId);
        }).ToList();
    }

    /// <summary>Issued, not voided invoices of the organization, by the product of their subscription and the line's kind.</summary>
    private static async Task<List<Amount>> InvoicedAsync(AppDb db, MetricsEngine engine, string organizationId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var invoices = await db.Set<Invoice>().IgnoreQueryFilters().AsNoTracking().Include(i => i.Lines)
            .Where(i => i.OrganizationId == organizationId && i.IssuedAt != null && i.IssuedAt >= from && i.IssuedAt < to
                && i.Status != InvoiceStatus.Void && i.Status != InvoiceStatus.Draft)
            .ToListAsync(cancellationToken);
        var subscriptionIds = invoices.Select(i => i.SubscriptionId).OfType<string>().Distinct().ToList();
        var products = await db.Set<Subscription>().IgnoreQueryFilters().AsNoTracking().Where(s => subscriptionIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Product, cancellationToken);
        return invoices.SelectMany(i => i.Lines.Select(l => new Amount(i.IssuedAt!.Value,
                l.Amount * engine.RateOf(i.Currency, Month.Of(i.IssuedAt!.Value)),
                i.SubscriptionId is { } s && products.TryGetValue(s, out var product) ? product : "other",
                l.Kind.ToString().ToLowerInvariant(), organizationId)))
            .ToList();
    }

    private static async Task<Dictionary<string, string>> NamesAsync(AppDb db, IEnumerable<Amount> amounts, CancellationToken cancellationToken)
    {
        var ids = amounts.Select(a => a.Customer).OfType<string>().Distinct().ToList();
        return await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
    }
}
