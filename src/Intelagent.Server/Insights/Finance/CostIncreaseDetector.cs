using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Finance;

/// <summary>
/// A cost increase (platform): last closed month's change of the company's infrastructure cost is
/// compared with the month-over-month changes of the six months before (a Student-t prediction
/// interval); only an increase above what they predict at p &lt; 0.05 is claimed, with confidence
/// 1 - p. The finding says what drove it, from <see cref="ICostDriverAnalysis"/>.
/// </summary>
public sealed class CostIncreaseDetector(MetricsService metrics, ICostDriverAnalysis analysis) : IInsightDetector
{
    public const int HistoryMonths = 6;
    private const double Significance = 0.05;

    public string Key => "finance.cost_increase";

    public bool RunsFor(InsightScope scope) => scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var engine = await metrics.EngineAsync(cancellationToken);
        var last = Month.Of(scope.Now).Previous;
        var first = new Month(last.Index - HistoryMonths - 1);
        if (first < engine.First) return [];
        var costs = engine.Figures(first, last).Select(f => (double)f.InfrastructureCost).ToList();
        var changes = costs.Zip(costs.Skip(1), (a, b) => b - a).ToList();
        var latest = changes[^1];
        if (latest <= 0) return [];
        var p = FinanceStatistics.UpperTailPValue(changes.SkipLast(1).ToList(), latest);
        if (p >= Significance) return [];

        var decomposition = await analysis.DecomposeAsync(db, scope, last.Start, last.End, last.Previous.Start, last.Previous.End, cancellationToken);
        var top = decomposition.Drivers.GroupBy(d => d.Dimension).ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.Change).First());
        var change = decomposition.CurrentTotal - decomposition.PreviousTotal;
        var share = decomposition.PreviousTotal == 0m ? 1m : change / decomposition.PreviousTotal;
        var customer = top.GetValueOrDefault("customer");
        var category = top.GetValueOrDefault("category");
        var product = top.GetValueOrDefault("product");
        var title = $"Costs up {share.ToString("0%", CultureInfo.InvariantCulture)} in {last}" +
            (category is null ? "" : $", mostly {category.Label}") + (customer is null || customer.Key == CostDriverAnalysis.Shared ? "" : $" for {customer.Label}");
        var description = $"Infrastructure cost went from {Money(decimal.Round(decomposition.PreviousTotal, 2))} to {Money(decimal.Round(decomposition.CurrentTotal, 2))} " +
            $"(p = {p:0.####} against the last {HistoryMonths} monthly changes). Largest contributions: " +
            string.Join("; ", new[] { product, category, customer }.OfType<CostDriver>().Select(d => $"{d.Dimension} {d.Label} {Signed(d.Change)}")) + ".";
        var data = new JsonObject
        {
            ["month"] = last.ToString(),
            ["previousTotal"] = decomposition.PreviousTotal,
            ["currentTotal"] = decomposition.CurrentTotal,
            ["pValue"] = Math.Round(p, 6),
            ["drivers"] = new JsonArray(decomposition.Drivers.Take(15).Select(d => (JsonNode)new JsonObject
            {
                ["dimension"] = d.Dimension,
                ["key"] = d.Key,
                ["label"] = d.Label,
                ["change"] = d.Change,
                ["shareOfChange"] = d.ShareOfChange,
            }).ToArray()),
        };
        var impact = share >= 0.2m ? InsightImpacts.High : share >= 0.1m ? InsightImpacts.Medium : InsightImpacts.Low;
        return
        [
            new InsightCandidate(InsightTypes.Optimization, title, description, Math.Round(1 - p, 4), impact,
                customer is { Key: not CostDriverAnalysis.Shared } ? $"Review {customer.Label}'s usage and plan: it added {Money(customer.Change)} of cost." : null,
                data, $"cost_increase:{last}", change, Currencies.Reporting),
        ];
    }

    private static string Money(decimal amount) => "$" + amount.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Signed(decimal amount) => (amount >= 0 ? "+" : "-") + Money(Math.Abs(decimal.Round(amount, 2)));
}
