using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// Scores the customers paying at the end of the last closed month with the stored model. Operators
/// (platform scope) see every customer. At organization scope the list is empty on purpose: a
/// customer's churn risk is the company's judgement about that customer, built from comparisons with
/// every other customer, and is not shown to the customer itself (docs/decisions/020). No scores at
/// all unless the model beat chance on held-out customers.
/// </summary>
public sealed class ChurnRiskScorer(ChurnModelStore store) : IChurnRiskScorer
{
    public const double HighRisk = 0.5;
    public const double MediumRisk = 0.2;
    private const int FactorsShown = 3;

    public async Task<ChurnRiskReport> ScoreAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var trained = await store.GetAsync(db, cancellationToken);
        var model = trained.Model;
        var evaluation = model.Evaluation;
        if (!scope.IsPlatform || model.Status != ChurnModelStatus.Trained)
            return new ChurnRiskReport([], evaluation.Auc, evaluation.BaselineAuc, evaluation.TrainingExamples, trained.TrainedAt);
        var current = ChurnFeatures.Current(trained.History, model.TrainedThrough);
        var probabilities = current.Count == 0 ? [] : model.Probabilities(current.Select(c => c.Features).ToList());
        var risks = current.Select((c, i) => new ChurnRisk(
                c.Customer.OrganizationId, c.Customer.Name, probabilities[i], LevelOf(probabilities[i]),
                c.Customer.At(model.TrainedThrough)!.Mrr, c.Customer.Currency, Factors(model, c.Features)))
            .OrderByDescending(r => r.Probability).ToList();
        return new ChurnRiskReport(risks, evaluation.Auc, evaluation.BaselineAuc, evaluation.TrainingExamples, trained.TrainedAt);
    }

    public static string LevelOf(double probability) => probability >= HighRisk ? "high" : probability >= MediumRisk ? "medium" : "low";

    private static List<ChurnFactor> Factors(ChurnModel model, double[] features) =>
        model.Contributions(features).Where(c => c.Contribution > 0).Take(FactorsShown)
            .Select(c => new ChurnFactor(c.Feature, ChurnFeatures.Descriptions[c.Feature], Math.Round(c.Value, 4), Math.Round(c.Contribution, 4))).ToList();
}
