using Intelagent.Server.Insights.Finance;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Predictions;

namespace Intelagent.Server.Insights;

/// <summary>Predictions (churn risk, revenue forecast, usage limits), cost drivers and the finance detectors (docs/decisions/020).</summary>
public static class PredictionsModule
{
    public static IServiceCollection AddInsightPredictions(this IServiceCollection services)
    {
        services.AddSingleton<ChurnModelStore>();
        services.AddScoped<IChurnRiskScorer, ChurnRiskScorer>();
        services.AddScoped<UsageLimitPredictions>();
        services.AddScoped<PredictionsService>();
        services.AddScoped<ICostDriverAnalysis, CostDriverAnalysis>();
        services.AddScoped<IInsightDetector, RevenueTrendDetector>();
        services.AddScoped<IInsightDetector, CostIncreaseDetector>();
        services.AddScoped<IInsightDetector, UnprofitableCustomersDetector>();
        services.AddScoped<IInsightDetector, ChurnRiskDetector>();
        return services;
    }

    public static IEndpointRouteBuilder MapInsightPredictions(this IEndpointRouteBuilder app) => app.MapPredictionsEndpoints();
}
