using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// The spec's <c>/api/ai/predictions</c> for an organization (its usage limits), and the operator's
/// platform view under <c>/api/admin</c> like the other cross-tenant reads (churn risk per customer
/// with the model's AUC, the revenue forecast with its backtest, every organization's usage limits).
/// </summary>
public static class PredictionsEndpoints
{
    public static IEndpointRouteBuilder MapPredictionsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ai/predictions", ForOrganizationAsync).RequirePermission(Permissions.InsightsRead)
            .WithTags("Insights").WithName("GetPredictions")
            .WithSummary("The organization's predictions: the day each usage limit will be reached")
            .Produces<PredictionsResponse>().WithProblems(400, 403, 404);
        app.MapGet("/api/admin/ai/predictions", AcrossTenantsAsync).RequirePermission(Permissions.PlatformFinanceRead)
            .WithTags("Admin").WithName("GetPlatformPredictions")
            .WithSummary("Churn risk per customer with its main factors and the model's held-out AUC against a single-feature baseline, the MRR forecast with intervals and its rolling-origin backtest against seasonal-naive, and the organizations heading for their usage limits")
            .Produces<PredictionsResponse>().WithProblems(403);
        return app;
    }

    private static async Task<IResult> ForOrganizationAsync(RequestContext request, PredictionsService predictions, CancellationToken cancellationToken) =>
        (await predictions.ForOrganizationAsync(request.OrganizationId!, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> AcrossTenantsAsync(PredictionsService predictions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await predictions.AcrossTenantsAsync(cancellationToken));
}
