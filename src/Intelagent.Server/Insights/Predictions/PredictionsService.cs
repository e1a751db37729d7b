using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>Assembles the predictions: churn risk (operators), the revenue forecast with its backtest (operators), usage limits (both).</summary>
public sealed class PredictionsService(AppDb db, ChurnModelStore store, IChurnRiskScorer scorer, MetricsService metrics, UsageLimitPredictions usageLimits)
{
    public const string ModelName = "logistic regression (ML.NET L-BFGS) on standardized features";
    public const string ExplanationMethod = "weight x z-score: each feature's exact share of the log-odds against an average customer";

    public async Task<Result<PredictionsResponse>> ForOrganizationAsync(string organizationId, CancellationToken cancellationToken)
    {
        var limits = await usageLimits.ForOrganizationAsync(organizationId, cancellationToken);
        if (!limits.IsSuccess) return limits.Error!;
        // Churn risk and the company's revenue are the operator's: an organization sees neither (docs/decisions/020).
        return new PredictionsResponse("organization", organizationId, db.Clock.GetUtcNow(), null, null, limits.Value!);
    }

    public async Task<PredictionsResponse> AcrossTenantsAsync(CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var report = await scorer.ScoreAsync(db, new InsightScope(null, now), cancellationToken);
        var trained = await store.GetAsync(db, cancellationToken);
        return new PredictionsResponse("platform", null, now, Churn(trained, report), await RevenueAsync(cancellationToken),
            await usageLimits.AcrossTenantsAsync(cancellationToken));
    }

    private static ChurnPredictionsResponse Churn(TrainedChurnModel trained, ChurnRiskReport report)
    {
        var model = trained.Model;
        var e = model.Evaluation;
        var (status, reason) = model.Status switch
        {
            ChurnModelStatus.Trained => ("trained", (string?)null),
            ChurnModelStatus.NotEnoughHistory => ("not_enough_history",
                $"Training needs at least {ChurnModel.MinimumTrainingPerClass} month-ends of customers who canceled within {ChurnFeatures.HorizonMonths} months and as many who did not, " +
                $"and {ChurnModel.MinimumTestCustomersPerClass} customers of each kind to hold out; there are {e.TrainingPositives} and {e.TrainingExamples - e.TrainingPositives}."),
            _ => ("no_signal", $"On held-out customers the model's AUC ({e.Auc:0.000}) is not above chance with 95% confidence (lower bound {e.AucLower95:0.000}): no scores are claimed."),
        };
        return new ChurnPredictionsResponse(status, reason, ModelName, ExplanationMethod, ChurnFeatures.HorizonMonths, model.TrainedThrough.ToString(),
            trained.TrainedAt, Round(e.Auc), Round(e.AucLower95), Round(e.BaselineAuc), e.BaselineFeature,
            e.Auc is { } auc && e.BaselineAuc is > 0 and var baseline ? Round(auc / baseline) : null,
            e.TrainingExamples, e.TestExamples, e.TestCustomers,
            report.Customers.Select(c => c with { Probability = Math.Round(c.Probability, 4) }).ToList());
    }

    private async Task<RevenueForecastResponse> RevenueAsync(CancellationToken cancellationToken)
    {
        var forecast = await metrics.ForecastAsync(cancellationToken);
        var engine = await metrics.EngineAsync(cancellationToken);
        var last = metrics.CurrentMonth.Previous;
        var history = last < engine.First ? [] : engine.Figures(engine.First, last).Select(f => f.Mrr).ToList();
        return new RevenueForecastResponse(Currencies.Reporting, forecast.Method, forecast.Revenue, RevenueBacktest.Run(history));
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}
