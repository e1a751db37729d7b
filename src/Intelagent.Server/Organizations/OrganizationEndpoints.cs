using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Organizations;

/// <summary>The spec's Organizations routes, plus roles and the caller's permissions.</summary>
public static class OrganizationEndpoints
{
    public static IEndpointRouteBuilder MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/organizations").WithTags("Organizations");
        group.MapGet("/", ListAsync).RequireSignedIn().WithName("ListOrganizations")
            .WithSummary("Every organization for an operator; the caller's own otherwise").Produces<Page<OrganizationSummary>>().WithProblems(400);
        group.MapPost("/", CreateAsync).RequireSignedIn().RequireRateLimiting(RateLimits.OrganizationCreation).WithName("CreateOrganization")
            .WithSummary("Create an organization owned by the caller").Produces<OrganizationSummary>(201).WithProblems(400, 429);
        group.MapGet("/{id}", GetAsync).RequirePermission(Permissions.OrganizationRead).WithName("GetOrganization")
            .Produces<OrganizationResponse>().WithProblems(403, 404);
        group.MapPatch("/{id}", UpdateAsync).RequirePermission(Permissions.OrganizationUpdate).WithName("UpdateOrganization")
            .WithSummary("Rename or change the time zone; honours If-Match").Produces<OrganizationSummary>().WithProblems(400, 403, 404, 412).HonoursIfMatch();
        group.MapDelete("/{id}", DeleteAsync).RequirePermission(Permissions.OrganizationDelete).WithName("DeleteOrganization")
            .WithSummary("Schedule deletion after the grace period (owner only)").Produces<OrganizationSummary>(202).WithProblems(403, 404);
        group.MapPost("/{id}/cancel-deletion", CancelDeletionAsync).RequirePermission(Permissions.OrganizationDelete).WithName("CancelOrganizationDeletion")
            .Produces<OrganizationSummary>().WithProblems(403, 404, 409);
        group.MapGet("/{id}/permissions/me", MyPermissions).RequirePermission(Permissions.OrganizationRead).WithName("GetMyPermissions")
            .WithSummary("What the caller may do in this organization").Produces<MyPermissionsResponse>().WithProblems(404);

        app.MapGet("/api/roles", Roles).RequireSignedIn().WithTags("Organizations").WithName("ListRoles")
            .WithSummary("The permission catalogue and each role's permissions").Produces<RolesResponse>();
        app.MapPatch("/api/admin/organizations/{id}/tier", ChangeTierAsync).RequirePermission(Permissions.PlatformOrganizationsManage)
            .WithTags("Admin").WithName("ChangeOrganizationTier").Produces<OrganizationSummary>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, SubscriptionTier? tier, string? name, RequestContext request,
        OrganizationService organizations, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        return TypedResults.Ok(request.IsOperator
            ? await organizations.ListAcrossTenantsAsync(page.Value!, tier, name, cancellationToken)
            : await organizations.ListForCallerAsync(page.Value!, tier, name, cancellationToken));
    }

    private static async Task<IResult> CreateAsync(CreateOrganizationRequest request, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.CreateForCallerAsync(request, cancellationToken)).ToHttp(o => TypedResults.Created($"/api/organizations/{o.Id}", o));

    private static async Task<IResult> GetAsync(string id, HttpContext context, OrganizationService organizations, CancellationToken cancellationToken)
    {
        var organization = await organizations.GetAsync(id, cancellationToken);
        if (organization is null) return Error.NotFound("organization").ToResult();
        ETags.Set(context, organization.Value.Version);
        return TypedResults.Ok(organization.Value.Response);
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateOrganizationRequest request, HttpContext context, RequestContext caller,
        OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.UpdateAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(o =>
        {
            ETags.Set(context, o.Version);
            return TypedResults.Ok(OrganizationService.Summary(o, caller.Role));
        });

    private static async Task<IResult> DeleteAsync(string id, RequestContext caller, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.ScheduleDeletionAsync(id, cancellationToken)).ToHttp(o => TypedResults.Accepted($"/api/organizations/{o.Id}", OrganizationService.Summary(o, caller.Role)));

    private static async Task<IResult> CancelDeletionAsync(string id, RequestContext caller, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.CancelDeletionAsync(id, cancellationToken)).ToHttp(o => TypedResults.Ok(OrganizationService.Summary(o, caller.Role)));

    private static async Task<IResult> ChangeTierAsync(string id, ChangeTierRequest request, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.ChangeTierAsync(id, request.SubscriptionTier, cancellationToken)).ToHttp(o => TypedResults.Ok(OrganizationService.Summary(o, null)));

    private static IResult MyPermissions(string id, RequestContext caller)
    {
        var permissions = caller.Role is { } role
            ? RolePermissions.For(role).OrderBy(p => p).ToArray()
            : Permissions.Tenant.Where(Permissions.OperatorMayUseInAnyTenant).ToArray();
        var scoped = caller.Role is { } r ? RolePermissions.LedTeamsOnly.Where(p => RolePermissions.IsScopedToLedTeams(r, p)).ToArray() : [];
        return TypedResults.Ok(new MyPermissionsResponse(id, caller.Role, caller.IsOperator, permissions, scoped));
    }

    private static IResult Roles() => TypedResults.Ok(new RolesResponse(
        Permissions.All,
        Enum.GetValues<Role>().OrderByDescending(r => r).Select(r => new RoleDescription(r, RolePermissions.For(r).OrderBy(p => p).ToArray(),
            RolePermissions.LedTeamsOnly.Where(p => RolePermissions.IsScopedToLedTeams(r, p)).ToArray())).ToArray(),
        Permissions.Platform));
}

public sealed record MyPermissionsResponse(string OrganizationId, Role? Role, bool IsPlatformOperator, IReadOnlyList<string> Permissions, IReadOnlyList<string> OnlyForLedTeams);
public sealed record RoleDescription(Role Role, IReadOnlyList<string> Permissions, IReadOnlyList<string> OnlyForLedTeams);
public sealed record RolesResponse(IReadOnlyList<string> Permissions, IReadOnlyList<RoleDescription> Roles, IReadOnlyList<string> PlatformPermissions);
