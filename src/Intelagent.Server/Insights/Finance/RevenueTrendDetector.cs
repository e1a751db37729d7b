using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Finance;

/// <summary>
/// revenue_trend (platform): the trend of month-end MRR over the last closed months, as a least-squares
/// line through log MRR (so the slope is a monthly growth rate), claimed only when the slope differs
/// from zero at p &lt; 0.05; confidence is 1 - p. It names the movements (new, expansion,
/// reactivation, contraction, churn) of the last three months and the segment that moved most.
/// </summary>
public sealed class RevenueTrendDetector(MetricsService metrics) : IInsightDetector
{
    public const int WindowMonths = 12;
    public const int MinimumMonths = 6;
    private const double Significance = 0.05;

    public string Key => "finance.revenue_trend";

    public bool RunsFor(InsightScope scope) => scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var engine = await metrics.EngineAsync(cancellationToken);
        var last = Month.Of(scope.Now).Previous;
        if (last < engine.First) return [];
        var first = new Month(Math.Max(engine.First.Index, last.Index - WindowMonths + 1));
        var figures = engine.Figures(first, last).SkipWhile(f => f.Mrr <= 0m).ToList();
        if (figures.Count < MinimumMonths || figures.Any(f => f.Mrr <= 0m)) return [];
        var (slope, _, p) = FinanceStatistics.Trend(figures.Select(f => Math.Log((double)f.Mrr)).ToList());
        if (p >= Significance) return [];

        var growth = Math.Exp(slope) - 1;
        var recent = figures.TakeLast(3).ToList();
        var movements = new (string Name, decimal Amount)[]
        {
            ("new", recent.Sum(f => f.Movements.New)), ("expansion", recent.Sum(f => f.Movements.Expansion)),
            ("reactivation", recent.Sum(f => f.Movements.Reactivation)), ("contraction", -recent.Sum(f => f.Movements.Contraction)),
            ("churn", -recent.Sum(f => f.Movements.Churn)),
        };
        var driver = growth > 0 ? movements.MaxBy(m => m.Amount) : movements.MinBy(m => m.Amount);
        var before = engine.BreakdownOf(new Month(recent[0].Month.Index - 1)).Segments.ToDictionary(s => s.Key, s => s.Mrr);
        var segments = engine.BreakdownOf(last).Segments
            .Select(s => (s.Key, Change: s.Mrr - before.GetValueOrDefault(s.Key)))
            .Concat(before.Keys.Where(k => engine.BreakdownOf(last).Segments.All(s => s.Key != k)).Select(k => (Key: k, Change: -before[k])))
            .OrderByDescending(s => growth > 0 ? s.Change : -s.Change).ToList();
        var start = figures[0].Mrr;
        var end = figures[^1].Mrr;
        var direction = growth > 0 ? "growing" : "shrinking";
        var percent = Math.Abs(growth).ToString("0.0%", CultureInfo.InvariantCulture);
        var segment = segments.FirstOrDefault();
        var description = $"MRR went from {Money(start)} to {Money(end)} over {figures.Count} months, {direction} {percent} a month (p = {p:0.####}). " +
            $"In the last three months {string.Join(", ", movements.Select(m => $"{m.Name} {Signed(m.Amount)}"))}; {driver.Name} moved it most" +
            (segment.Key is null ? "." : $", and the {segment.Key} segment changed most ({Signed(segment.Change)}).");
        var data = new JsonObject
        {
            ["months"] = new JsonArray(figures.Select(f => (JsonNode)new JsonObject { ["month"] = f.Month.ToString(), ["mrr"] = f.Mrr }).ToArray()),
            ["monthlyGrowth"] = Math.Round(growth, 6),
            ["pValue"] = Math.Round(p, 6),
            ["movements"] = new JsonObject(movements.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)JsonValue.Create(m.Amount)))),
            ["segments"] = new JsonArray(segments.Select(s => (JsonNode)new JsonObject { ["segment"] = s.Key, ["change"] = s.Change }).ToArray()),
        };
        var impact = Math.Abs(growth) >= 0.05 ? InsightImpacts.High : Math.Abs(growth) >= 0.02 ? InsightImpacts.Medium : InsightImpacts.Low;
        return
        [
            new InsightCandidate(InsightTypes.RevenueTrend, $"MRR {direction} {percent} a month, driven by {driver.Name}", description, Math.Round(1 - p, 4), impact,
                growth > 0 ? null : $"Look at {driver.Name}: it took {Money(-driver.Amount)} of MRR in the last three months.",
                data, $"revenue_trend:{direction}:{last}", end - start, Currencies.Reporting),
        ];
    }

    private static string Money(decimal amount) => "$" + Math.Round(amount, 0).ToString("#,0", CultureInfo.InvariantCulture);

    private static string Signed(decimal amount) => (amount >= 0 ? "+" : "-") + Money(Math.Abs(amount));
}
