using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// prediction (platform): one finding per customer at high churn risk. Silent unless the model beat
/// chance on held-out customers (the scorer returns no one otherwise). Confidence is the model's
/// probability of a cancel within the horizon; impact is the customer's share of MRR.
/// </summary>
public sealed class ChurnRiskDetector(IChurnRiskScorer scorer) : IInsightDetector
{
    public const int MaxFindings = 10;

    public string Key => "predictions.churn_risk";

    public bool RunsFor(InsightScope scope) => scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var report = await scorer.ScoreAsync(db, scope, cancellationToken);
        var totalMrr = report.Customers.Sum(c => c.MonthlyRevenue);
        return report.Customers.Where(c => c.RiskLevel == "high").Take(MaxFindings).Select(c =>
        {
            var share = totalMrr == 0m ? 0m : c.MonthlyRevenue / totalMrr;
            var factors = string.Join(", ", c.MainFactors.Select(f => f.Description.ToLowerInvariant()));
            var data = new JsonObject
            {
                ["organizationId"] = c.OrganizationId,
                ["probability"] = Math.Round(c.Probability, 4),
                ["monthlyRevenue"] = c.MonthlyRevenue,
                ["modelAuc"] = report.ModelAuc,
                ["baselineAuc"] = report.BaselineAuc,
                ["factors"] = new JsonArray(c.MainFactors.Select(f => (JsonNode)new JsonObject { ["feature"] = f.Feature, ["value"] = f.Value, ["contribution"] = f.Contribution }).ToArray()),
            };
            return new InsightCandidate(InsightTypes.Prediction,
                $"{c.OrganizationName} is at high risk of churning ({c.Probability.ToString("0%", CultureInfo.InvariantCulture)})",
                $"{c.OrganizationName} ({c.MonthlyRevenue:0} {c.Currency} MRR) has a {c.Probability.ToString("0%", CultureInfo.InvariantCulture)} probability of canceling within {ChurnFeatures.HorizonMonths} months. " +
                $"Main factors: {factors}. The model's AUC on held-out customers is {report.ModelAuc:0.00} (single-feature baseline {report.BaselineAuc:0.00}).",
                Math.Round(c.Probability, 4), share >= 0.02m ? InsightImpacts.High : share >= 0.005m ? InsightImpacts.Medium : InsightImpacts.Low,
                "Reach out before the renewal: check the failing payments, the unused seats and the falling usage the factors show.",
                data, $"churn_risk:{c.OrganizationId}", c.MonthlyRevenue, c.Currency);
        }).ToList();
    }
}
