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
        group.MapPost("/alerts", CreateAlertAsync).RequirePermission(Permissions.UsageAlertsManage).WithName("CreateUsageAlert")
            .WithSummary("A threshold on one metric (percent of its limit, or an absolute amount), delivered to you as a notification once per period")
            .Produces<UsageAlertResponse>(201).WithProblems(400, 403, 404, 409);
        group.MapGet("/alerts", ListAlertsAsync).RequirePermission(Permissions.UsageRead).WithName("ListUsageAlerts")
            .WithSummary("The organization's usage alerts, oldest first").Produces<Page<UsageAlertResponse>>().WithProblems(400, 403, 404);
        group.MapDelete("/alerts/{id}", DeleteAlertAsync).RequirePermission(Permissions.UsageAlertsManage).WithName("DeleteUsageAlert")
            .WithSummary("Deletes a usage alert").Produces(204).WithProblems(403, 404);
        app.MapGet("/api/admin/usage", AcrossTenantsAsync).RequirePermission(Permissions.PlatformOrganizationsRead)
            .WithTags("Admin").WithName("GetUsageAcrossOrganizations")
            .WithSummary("Every organization's usage in the current period per metric against its limits, a page at a time")
            .Produces<Page<OrganizationUsageResponse>>().WithProblems(400, 403);
        app.MapGet("/api/admin/usage/top", TopAsync).RequirePermission(Permissions.PlatformOrganizationsRead)
            .WithTags("Admin").WithName("GetTopUsageConsumers")
            .WithSummary("The organizations using most of api_calls or refused_calls today, or bandwidth_bytes this month")
            .Produces<TopConsumersResponse>().WithProblems(400, 403);
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

    private static async Task<IResult> CreateAlertAsync(CreateUsageAlertRequest request, UsageAlerts alerts, CancellationToken cancellationToken) =>
        (await alerts.CreateAsync(request, cancellationToken)).ToHttp(a => TypedResults.Created($"/api/usage/alerts/{a.Id}", a));

    private static async Task<IResult> ListAlertsAsync(int? limit, string? cursor, UsageAlerts alerts, CancellationToken cancellationToken) =>
        (await alerts.ListAsync(limit, cursor, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> DeleteAlertAsync(string id, UsageAlerts alerts, CancellationToken cancellationToken) =>
        (await alerts.DeleteAsync(id, cancellationToken)).NoContentOr();

    private static async Task<IResult> AcrossTenantsAsync(int? limit, string? cursor, AdminUsage admin, CancellationToken cancellationToken) =>
        (await admin.AcrossTenantsAsync(limit, cursor, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> TopAsync(string? metric, int? limit, AdminUsage admin, CancellationToken cancellationToken) =>
        (await admin.TopAcrossTenantsAsync(metric, limit, cancellationToken)).ToHttp(t => TypedResults.Ok(t));

    private static async Task<IResult> SetLimitsAsync(string id, SetUsageLimitsRequest request, UsageService usage, CancellationToken cancellationToken) =>
        (await usage.SetLimitsAsync(id, request, cancellationToken)).ToHttp(l => TypedResults.Ok(l));
}
