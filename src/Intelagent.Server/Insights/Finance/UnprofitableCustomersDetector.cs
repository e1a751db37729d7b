using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Finance;

/// <summary>
/// "Customers who cost more than they pay" (platform), from the metrics engine's customer economics
/// (direct costs plus shared costs allocated by usage). A customer is named only when its margin was
/// negative in the last closed month and in enough of the months before that a sign test rejects
/// "a coin flip" at p &lt; 0.1; confidence is 1 - p.
/// </summary>
public sealed class UnprofitableCustomersDetector(MetricsService metrics) : IInsightDetector
{
    public const int WindowMonths = 6;
    private const double Significance = 0.1;

    public string Key => "finance.unprofitable_customers";

    public bool RunsFor(InsightScope scope) => scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var engine = await metrics.EngineAsync(cancellationToken);
        var last = Month.Of(scope.Now).Previous;
        if (last < engine.First) return [];
        var months = Enumerable.Range(0, WindowMonths).Select(i => new Month(last.Index - i)).Where(m => m >= engine.First).ToList();
        var byMonth = months.ToDictionary(m => m, m => engine.CustomerEconomicsOf(m).ToDictionary(e => e.CustomerId, StringComparer.Ordinal));
        var candidates = byMonth[last].Values.Where(e => e.Mrr > 0m && e.Margin < 0m).ToList();
        if (candidates.Count == 0) return [];
        var ids = candidates.Select(c => c.CustomerId).ToList();
        var names = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var findings = new List<InsightCandidate>();
        foreach (var customer in candidates)
        {
            var history = months.Select(m => byMonth[m].GetValueOrDefault(customer.CustomerId)).OfType<CustomerEconomics>().Where(e => e.Mrr > 0m).ToList();
            var negative = history.Count(e => e.Margin < 0m);
            var p = FinanceStatistics.SignTestPValue(negative, history.Count);
            if (p >= Significance) continue;
            var name = names.GetValueOrDefault(customer.CustomerId, customer.CustomerId);
            var loss = -customer.Margin;
            var data = new JsonObject
            {
                ["organizationId"] = customer.CustomerId,
                ["month"] = last.ToString(),
                ["mrr"] = customer.Mrr,
                ["directCost"] = customer.DirectCost,
                ["allocatedCost"] = customer.AllocatedCost,
                ["margin"] = customer.Margin,
                ["negativeMonths"] = negative,
                ["months"] = history.Count,
                ["pValue"] = Math.Round(p, 6),
            };
            findings.Add(new InsightCandidate(InsightTypes.Optimization,
                $"{name} costs more than it pays ({Money(customer.TotalCost)} cost vs {Money(customer.Mrr)} MRR)",
                $"In {last} {name} paid {Money(customer.Mrr)} and cost {Money(customer.TotalCost)} ({Money(customer.DirectCost)} booked to it, {Money(customer.AllocatedCost)} of shared cost by usage); " +
                $"its margin was negative in {negative} of its last {history.Count} paying months (sign test p = {p:0.####}).",
                Math.Round(1 - p, 4), loss >= customer.Mrr ? InsightImpacts.High : loss >= customer.Mrr / 4 ? InsightImpacts.Medium : InsightImpacts.Low,
                $"Move {name} to a plan that fits its usage, or price its usage (overage).", data, $"unprofitable:{customer.CustomerId}", loss, Currencies.Reporting));
        }
        return findings;
    }

    private static string Money(decimal amount) => "$" + Math.Round(amount, 0).ToString("#,0", CultureInfo.InvariantCulture);
}
