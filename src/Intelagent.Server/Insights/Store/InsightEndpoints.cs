using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Insights.Store;

/// <summary>
/// The spec's <c>GET /api/ai/insights</c> for the organization in context, a run on demand, and the
/// operators' platform-level view. Running costs real work, so it needs <c>insights.query</c>
/// (members and up) while reading needs <c>insights.read</c> (every member).
/// </summary>
public static class InsightEndpoints
{
    public static IEndpointRouteBuilder MapInsightEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ai/insights").WithTags("Insights");
        group.MapGet("/", ListAsync).RequirePermission(Permissions.InsightsRead).WithName("ListInsights")
            .WithSummary("The organization's current insights, newest first; ?type= revenue_trend | usage_anomaly | optimization | prediction, ?includePast=true adds those no longer found")
            .Produces<Page<InsightResponse>>().WithProblems(400, 403, 404);
        group.MapPost("/run", RunAsync).RequirePermission(Permissions.InsightsQuery).WithName("RunInsights")
            .WithSummary("Runs every detector for the organization now and answers with its current insights")
            .Produces<InsightRunResponse>().WithProblems(400, 403, 404);
        app.MapGet("/api/admin/ai/insights", ListPlatformAsync).RequirePermission(Permissions.PlatformOrganizationsRead).WithTags("Admin")
            .WithName("ListPlatformInsights").WithSummary("Platform-level insights (across organizations), newest first")
            .Produces<Page<InsightResponse>>().WithProblems(400, 403);
        app.MapPost("/api/admin/ai/insights/run", RunPlatformAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithTags("Admin")
            .WithName("RunPlatformInsights").WithSummary("Runs every platform-level detector now")
            .Produces<InsightRunResponse>().WithProblems(400, 403);
        return app;
    }

    private static async Task<IResult> ListAsync(string? type, bool? includePast, int? limit, string? cursor, RequestContext request, InsightQueries insights, CancellationToken cancellationToken) =>
        (await insights.ListAsync(request.OrganizationId!, type, includePast ?? false, limit, cursor, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> RunAsync(RequestContext request, InsightQueries insights, CancellationToken cancellationToken) =>
        (await insights.RunAsync(request.OrganizationId!, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> ListPlatformAsync(string? type, bool? includePast, int? limit, string? cursor, InsightQueries insights, CancellationToken cancellationToken) =>
        (await insights.ListAsync(null, type, includePast ?? false, limit, cursor, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> RunPlatformAsync(InsightQueries insights, CancellationToken cancellationToken) =>
        (await insights.RunAsync(null, cancellationToken)).ToHttp(r => TypedResults.Ok(r));
}
