using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Insights.Kernel;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// <c>GET /api/ai/predictions</c> (an organization: its usage limits) and <c>GET /api/admin/ai/predictions</c>
/// (operators: churn risk of every customer, the revenue forecast, every organization's usage limits).
/// A part that does not apply to the caller is null.
/// </summary>
public sealed record PredictionsResponse(
    string Scope,
    string? OrganizationId,
    DateTimeOffset GeneratedAt,
    ChurnPredictionsResponse? Churn,
    RevenueForecastResponse? Revenue,
    IReadOnlyList<UsageLimitPrediction> UsageLimits);

/// <param name="Status">trained (scores shown), not_enough_history or no_signal (no scores: the model did not beat chance on held-out customers).</param>
/// <param name="AucRatio">The model's held-out AUC over the single-feature baseline's.</param>
public sealed record ChurnPredictionsResponse(
    string Status,
    string? Reason,
    string Model,
    string Explanation,
    int HorizonMonths,
    string TrainedThrough,
    DateTimeOffset TrainedAt,
    double? Auc,
    double? AucLower95,
    double? BaselineAuc,
    string? BaselineFeature,
    double? AucRatio,
    int TrainingExamples,
    int TestExamples,
    int TestCustomers,
    IReadOnlyList<ChurnRisk> Customers);

public sealed record RevenueForecastResponse(
    string Currency,
    string Method,
    IReadOnlyList<ForecastPointResponse> Points,
    ForecastBacktest? Backtest);

/// <summary>The day an organization's usage will reach a limit, from the usage module's forecast.</summary>
public sealed record UsageLimitPrediction(string OrganizationId, string Metric, long Used, long? Limit, DateOnly? ForecastDate, string? Forecast);
