namespace Intelagent.Server.Billing.Metrics.Engine;

public sealed partial class MetricsEngine
{
    /// <summary>A customer's MRR at the end of a month, in the reporting currency.</summary>
    public decimal CustomerMrr(string customerId, Month month) =>
        _customers.TryGetValue(customerId, out var history) ? MonthEndUnits(history, month) / 12m : 0m;

    private decimal MonthEndUnits(CustomerHistory history, Month month)
    {
        var end = month.End;
        var latest = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        foreach (var entry in history.Entries)
        {
            if (entry.At >= end) break;
            latest[entry.SubscriptionId] = entry;
        }
        var total = 0m;
        foreach (var entry in latest.Values)
        {
            var units = entry.AnnualUnitsAt(end);
            if (units != 0m) total += units * RateOf(entry.Currency, month);
        }
        return total;
    }

    /// <summary>
    /// Revenue against cost per customer in a month: costs naming the customer count directly; costs
    /// without one are shared by each customer's share of metered usage that month, or by MRR share
    /// when nobody has metered usage that month.
    /// </summary>
    public IReadOnlyList<CustomerEconomics> CustomerEconomicsOf(Month month)
    {
        var mrr = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (id, history) in _customers)
        {
            var units = MonthEndUnits(history, month);
            if (units != 0m) mrr[id] = units / 12m;
        }
        var direct = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var shared = 0m;
        foreach (var cost in _input.Costs.Where(c => c.Month == month))
        {
            var amount = ToReporting(cost.Amount, cost.Currency, month);
            if (cost.CustomerId is { } customer) direct[customer] = direct.GetValueOrDefault(customer) + amount;
            else shared += amount;
        }
        var weights = (_input.Usage ?? []).Where(u => u.Month == month && u.Weight > 0m)
            .GroupBy(u => u.CustomerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(u => u.Weight), StringComparer.Ordinal);
        if (weights.Count == 0) weights = mrr.Where(p => p.Value > 0m).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var totalWeight = weights.Values.Sum();

        var customers = mrr.Keys.Union(direct.Keys).Union(weights.Keys).Distinct(StringComparer.Ordinal);
        return customers.Select(id => new CustomerEconomics(id, mrr.GetValueOrDefault(id), direct.GetValueOrDefault(id),
                totalWeight == 0m ? 0m : shared * weights.GetValueOrDefault(id) / totalWeight))
            .OrderByDescending(e => e.Mrr).ThenBy(e => e.CustomerId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Each product's MRR against the costs booked to it in the month.</summary>
    public IReadOnlyList<ProductProfitability> ProductProfitabilityOf(Month month)
    {
        var costs = _input.Costs.Where(c => c.Month == month)
            .GroupBy(c => c.Product, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => ToReporting(c.Amount, c.Currency, month)), StringComparer.Ordinal);
        var revenue = BreakdownOf(month).Products.ToDictionary(p => p.Key, p => p.Mrr, StringComparer.Ordinal);
        return revenue.Keys.Union(costs.Keys)
            .Select(product =>
            {
                var mrr = revenue.GetValueOrDefault(product);
                var cost = costs.GetValueOrDefault(product);
                return new ProductProfitability(product, mrr, cost, mrr - cost, Ratio(mrr - cost, mrr));
            })
            .OrderByDescending(p => p.Mrr).ThenBy(p => p.Product, StringComparer.Ordinal)
            .ToList();
    }
}
