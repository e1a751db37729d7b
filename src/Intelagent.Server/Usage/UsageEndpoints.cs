using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Usage;

/// <summary>The spec's /api/usage (organization from X-Organization-Id, the only membership, or the API key) and the operator's custom limits.</summary>
public static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/usage").WithTags("Usage");
        group.MapGet("/", CurrentAsync).RequirePermission(Permissions.UsageRead).WithName("GetUsage")
            .WithSummary("Today's calls against the daily quota, this month's bandwidth, seats and projects against their limits")
            .Produces<UsageResponse>().WithProblems(400, 403, 404);
        group.MapGet("/history", HistoryAsync).RequirePermission(Permissions.UsageRead).WithName("GetUsageHistory")
            .WithSummary("Flushed usage per hour or day between from and to")
            .Produces<UsageHistoryResponse>().WithProblems(400, 403, 404);
        group.MapGet("/limits", LimitsAsync).RequirePermission(Permissions.UsageRead).WithName("GetUsageLimits")
            .WithSummary("The effective limits and, per limit, whether the tier or an operator's override sets it")
            .Produces<UsageLimitsResponse>().WithProblems(400, 403, 404);
        group.MapPost("/events", ReportAsync).RequirePermission(Permissions.UsageReport).WithName("ReportUsage")
            .WithSummary("A batch of product usage (compute_seconds, storage_bytes gauge, background_jobs), all or nothing, idempotent by event id")
            .Produces<ReportUsageResponse>().WithProblems(400, 403, 404, 409);
        app.MapPut("/api/admin/organizations/{id}/limits", SetLimitsAsync).RequirePermission(Permissions.PlatformOrganizationsManage)
            .WithTags("Admin").WithName("SetOrganizationLimits")
            .WithSummary("Custom limits for one organization; a null field follows the tier, -1 is unlimited; applies at once")
            .Produces<UsageLimitsResponse>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> CurrentAsync(RequestContext request, UsageService usage, CancellationToken cancellationToken) =>
        (await usage.CurrentAsync(request.OrganizationId!, cancellationToken)).ToHttp(u => TypedResults.Ok(u));

    private static async Task<IResult> HistoryAsync(string? granularity, DateTimeOffset? from, DateTimeOffset? to, UsageService usage, CancellationToken cancellationToken) =>
        (await usage.HistoryAsync(granularity, from, to, cancellationToken)).ToHttp(h => TypedResults.Ok(h));

    private static async Task<IResult> LimitsAsync(RequestContext request, UsageService usage, CancellationToken cancellationToken) =>
        (await usage.LimitsAsync(request.OrganizationId!, cancellationToken)).ToHttp(l => TypedResults.Ok(l));

    private static async Task<IResult> ReportAsync(ReportUsageRequest request, UsageEventService events, CancellationToken cancellationToken) =>
        (await events.ReportAsync(request, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> SetLimitsAsync(string id, SetUsageLimitsRequest request, UsageService usage, CancellationToken cancellationToken) =>
        (await usage.SetLimitsAsync(id, request, cancellationToken)).ToHttp(l => TypedResults.Ok(l));
}
