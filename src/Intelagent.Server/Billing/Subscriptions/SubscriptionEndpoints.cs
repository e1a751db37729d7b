using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>The catalogue and subscriptions: tenants under /api/financial, the operator under /api/admin/billing.</summary>
public static class SubscriptionEndpoints
{
    public static IEndpointRouteBuilder MapSubscriptionEndpoints(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/financial").WithTags("Billing");
        tenant.MapGet("/plans", ListPlansAsync).RequirePermission(Permissions.BillingRead).WithName("ListAvailablePlans")
            .WithSummary("The catalogue's plans and this organization's custom plans").Produces<IReadOnlyList<PlanResponse>>().WithProblems(400, 403, 404);
        tenant.MapGet("/subscriptions", ListAsync).RequirePermission(Permissions.BillingRead).WithName("ListSubscriptions")
            .WithSummary("The organization's subscriptions, newest first").Produces<Page<SubscriptionResponse>>().WithProblems(400, 403, 404);
        tenant.MapPost("/subscriptions", CreateAsync).RequirePermission(Permissions.BillingManage).WithName("CreateSubscription")
            .WithSummary("Subscribe to a plan (a trial first when the plan has one); honours Idempotency-Key")
            .Produces<SubscriptionResponse>(201).WithProblems(400, 403, 404, 409);
        tenant.MapGet("/subscriptions/{id}", GetAsync).RequirePermission(Permissions.BillingRead).WithName("GetSubscription")
            .Produces<SubscriptionResponse>().WithProblems(403, 404);
        tenant.MapPost("/subscriptions/{id}/change/preview", PreviewAsync).RequirePermission(Permissions.BillingManage).WithName("PreviewSubscriptionChange")
            .WithSummary("What changing plan or quantity costs now: the proration, nothing applied").Produces<ProrationPreview>().WithProblems(400, 403, 404, 409);
        tenant.MapPost("/subscriptions/{id}/change", ChangeAsync).RequirePermission(Permissions.BillingManage).WithName("ChangeSubscription")
            .WithSummary("Apply a change and issue its proration invoice; honours If-Match").Produces<ChangeSubscriptionResponse>().WithProblems(400, 403, 404, 409, 412).HonoursIfMatch();
        tenant.MapPost("/subscriptions/{id}/cancel", CancelAsync).RequirePermission(Permissions.BillingManage).WithName("CancelSubscription")
            .WithSummary("Cancel at period end (default) or at once; honours If-Match").Produces<SubscriptionResponse>().WithProblems(400, 403, 404, 409, 412).HonoursIfMatch();

        var admin = app.MapGroup("/api/admin/billing").WithTags("Admin");
        admin.MapGet("/plans", ListAllPlansAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListPlans")
            .Produces<Page<PlanResponse>>().WithProblems(400, 403);
        admin.MapPost("/plans", CreatePlanAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("CreatePlan")
            .WithSummary("A catalogue plan, or a custom plan for one organization").Produces<PlanResponse>(201).WithProblems(400, 403);
        admin.MapPatch("/plans/{id}", UpdatePlanAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("UpdatePlan")
            .WithSummary("Rename or archive a plan; honours If-Match").Produces<PlanResponse>().WithProblems(400, 403, 404, 412).HonoursIfMatch();
        admin.MapGet("/subscriptions", ListAllAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListSubscriptionsAcrossTenants")
            .Produces<Page<SubscriptionResponse>>().WithProblems(400, 403);
        admin.MapPut("/subscriptions/{id}/discount", DiscountAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithName("SetSubscriptionDiscount")
            .WithSummary("Percent and/or amount off per period, until an optional end").Produces<SubscriptionResponse>().WithProblems(400, 403, 404, 409);
        return app;
    }

    private static async Task<IResult> ListPlansAsync(string? product, RequestContext caller, PlanService plans, CancellationToken cancellationToken) =>
        TypedResults.Ok(await plans.ForTenantAsync(caller.OrganizationId!, product, cancellationToken));

    private static async Task<IResult> ListAsync(int? limit, string? cursor, string? status, string? product,
        SubscriptionService subscriptions, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var statusFilter = QueryEnum.Parse<SubscriptionStatus>("status", status);
        if (!statusFilter.IsSuccess) return statusFilter.Error!.ToResult();
        return TypedResults.Ok(await subscriptions.ListAsync(page.Value!, statusFilter.Value, product, null, false, cancellationToken));
    }

    private static async Task<IResult> ListAllAsync(int? limit, string? cursor, string? status, string? product, string? organizationId,
        SubscriptionService subscriptions, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var statusFilter = QueryEnum.Parse<SubscriptionStatus>("status", status);
        if (!statusFilter.IsSuccess) return statusFilter.Error!.ToResult();
        return TypedResults.Ok(await subscriptions.ListAsync(page.Value!, statusFilter.Value, product, organizationId, true, cancellationToken));
    }

    private static async Task<IResult> CreateAsync(CreateSubscriptionRequest request, HttpContext context, SubscriptionService subscriptions,
        CancellationToken cancellationToken) =>
        (await subscriptions.CreateAsync(request, cancellationToken)).ToHttp(s =>
        {
            ETags.Set(context, s.Version);
            return TypedResults.Created($"/api/financial/subscriptions/{s.Id}", SubscriptionResponse.From(s));
        });

    private static async Task<IResult> GetAsync(string id, HttpContext context, SubscriptionService subscriptions, CancellationToken cancellationToken)
    {
        if (await subscriptions.FindAsync(id, false, cancellationToken) is not { } subscription) return Error.NotFound("subscription").ToResult();
        ETags.Set(context, subscription.Version);
        return TypedResults.Ok(SubscriptionResponse.From(subscription));
    }

    private static async Task<IResult> PreviewAsync(string id, ChangeSubscriptionRequest request, SubscriptionChangeService changes,
        CancellationToken cancellationToken) =>
        (await changes.PreviewAsync(id, request, cancellationToken)).ToHttp(p => TypedResults.Ok(p));

    private static async Task<IResult> ChangeAsync(string id, ChangeSubscriptionRequest request, HttpContext context, SubscriptionChangeService changes,
        CancellationToken cancellationToken) =>
        (await changes.ConfirmAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(c =>
        {
            ETags.Set(context, c.Subscription.Version);
            return TypedResults.Ok(c);
        });

    private static async Task<IResult> CancelAsync(string id, CancelSubscriptionRequest? request, HttpContext context, SubscriptionService subscriptions,
        CancellationToken cancellationToken) =>
        (await subscriptions.CancelAsync(id, request ?? new CancelSubscriptionRequest(null), v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(s =>
        {
            ETags.Set(context, s.Version);
            return TypedResults.Ok(SubscriptionResponse.From(s));
        });

    private static async Task<IResult> DiscountAsync(string id, DiscountRequest request, SubscriptionService subscriptions, CancellationToken cancellationToken) =>
        (await subscriptions.SetDiscountAsync(id, request, cancellationToken)).ToHttp(s => TypedResults.Ok(SubscriptionResponse.From(s)));

    private static async Task<IResult> ListAllPlansAsync(int? limit, string? cursor, string? organizationId, string? product, bool? includeArchived,
        PlanService plans, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        return TypedResults.Ok(await plans.ListAcrossTenantsAsync(page.Value!, organizationId, product, includeArchived ?? false, cancellationToken));
    }

    private static async Task<IResult> CreatePlanAsync(CreatePlanRequest request, PlanService plans, CancellationToken cancellationToken) =>
        (await plans.CreateAsync(request, cancellationToken)).ToHttp(p => TypedResults.Created($"/api/admin/billing/plans/{p.Id}", PlanResponse.From(p)));

    private static async Task<IResult> UpdatePlanAsync(string id, UpdatePlanRequest request, HttpContext context, PlanService plans,
        CancellationToken cancellationToken) =>
        (await plans.UpdateAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(p =>
        {
            ETags.Set(context, p.Version);
            return TypedResults.Ok(PlanResponse.From(p));
        });
}
