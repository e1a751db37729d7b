using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Kernel;

/// <summary>
/// Churn risk per customer organization (platform scope: every customer; organization scope: that
/// organization only), from the trained model. Implemented by the predictions part of the module;
/// the question answerer and the portals read it through this contract.
/// </summary>
public interface IChurnRiskScorer
{
    Task<ChurnRiskReport> ScoreAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken);
}

/// <param name="ModelAuc">The model's area under the ROC curve on held-out data, null before it was trained.</param>
/// <param name="BaselineAuc">The single-feature baseline's AUC on the same held-out data.</param>
public sealed record ChurnRiskReport(
    IReadOnlyList<ChurnRisk> Customers,
    double? ModelAuc,
    double? BaselineAuc,
    int TrainingExamples,
    DateTimeOffset ScoredAt);

/// <param name="Probability">0..1, the model's calibrated probability of churning within the horizon.</param>
/// <param name="MainFactors">The features that raise this customer's risk most, largest first.</param>
public sealed record ChurnRisk(
    string OrganizationId,
    string OrganizationName,
    double Probability,
    string RiskLevel,
    decimal MonthlyRevenue,
    string Currency,
    IReadOnlyList<ChurnFactor> MainFactors);

public sealed record ChurnFactor(string Feature, string Description, double Value, double Contribution);

/// <summary>
/// "What's driving our cost increase?": the change of cost between two periods split by product,
/// category and customer. At platform scope the costs are the company's cost entries; at organization
/// scope they are what the organization is billed (its own cost), by product and line kind.
/// </summary>
public interface ICostDriverAnalysis
{
    Task<CostChangeDecomposition> DecomposeAsync(
        AppDb db,
        InsightScope scope,
        DateTimeOffset currentFrom,
        DateTimeOffset currentTo,
        DateTimeOffset previousFrom,
        DateTimeOffset previousTo,
        CancellationToken cancellationToken);
}

public sealed record CostChangeDecomposition(
    string Currency,
    decimal PreviousTotal,
    decimal CurrentTotal,
    IReadOnlyList<CostDriver> Drivers);

/// <param name="Dimension">product, category or customer.</param>
/// <param name="ShareOfChange">This driver's change over the total change (can exceed 1 or be negative when others offset it); null when the total did not change.</param>
public sealed record CostDriver(
    string Dimension,
    string Key,
    string Label,
    decimal Previous,
    decimal Current,
    decimal Change,
    double? ShareOfChange);
