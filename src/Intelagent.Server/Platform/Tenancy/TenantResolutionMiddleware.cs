using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// Decides which organization a tenant-scoped request is for (decisions: "Who is asking, for which
/// organization"): the organization in the route, else the owner of the resource in the route,
/// else the <c>X-Organization-Id</c> header, else the caller's only membership. Then it looks up the
/// caller's role there. It never refuses by itself; the permission handler turns a failure into
/// 400 or 404.
/// </summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    public const string Header = "X-Organization-Id";

    public async Task InvokeAsync(HttpContext context, RequestContext request, MembershipCache memberships, TenantOwners owners)
    {
        if (request.UserId is not null && context.GetEndpoint()?.Metadata.GetMetadata<TenantScopedMetadata>() is not null)
            await ResolveAsync(context, request, memberships, owners);
        await next(context);
    }

    private static async Task ResolveAsync(HttpContext context, RequestContext request, MembershipCache memberships, TenantOwners owners)
    {
        var cancellationToken = context.RequestAborted;
        string? organizationId;
        if (RouteIds(context.Request.RouteValues).Any())
        {
            // The route names the organization or a resource of it: nothing else may override that.
            organizationId = await FromRouteAsync(context.Request.RouteValues, owners, cancellationToken);
            if (organizationId is null)
            {
                request.Failure = TenantResolutionFailure.NotFound;
                return;
            }
        }
        else
        {
            organizationId = context.Request.Headers.TryGetValue(Header, out var header) ? header.ToString() : null;
        }
        if (request.ApiKeyOrganizationId is { } keyOrganization)
        {
            // A key acts for its own organization only: naming another one finds nothing.
            if (organizationId is not null && organizationId != keyOrganization)
            {
                request.Failure = TenantResolutionFailure.NotFound;
                return;
            }
            organizationId = keyOrganization;
        }
        if (organizationId is null)
        {
            var mine = await memberships.FirstOrganizationsOfAsync(request.UserId!, cancellationToken);
            if (mine.Count == 1) organizationId = mine[0];
            else
            {
                request.Failure = mine.Count == 0 ? TenantResolutionFailure.NoMembership : TenantResolutionFailure.Ambiguous;
                return;
            }
        }
        if (!Id.HasPrefix(organizationId, IdPrefix.Organization))
        {
            request.Failure = TenantResolutionFailure.NotFound;
            return;
        }

        var role = await memberships.RoleOfAsync(request.UserId!, organizationId, cancellationToken);
        if (role is not null || (request.IsOperator && await ExistsAsync(context, organizationId, cancellationToken)))
            request.SetTenant(organizationId, role);
        else
            request.Failure = TenantResolutionFailure.NotFound;
    }

    /// <summary>Route values that identify an organization or a resource: ids the route is about.</summary>
    private static readonly string[] IdKeys = ["orgId", "organizationId", "id", "teamId", "projectId"];

    private static IEnumerable<string> RouteIds(RouteValueDictionary route) =>
        IdKeys.Select(k => route.TryGetValue(k, out var v) ? v as string : null).OfType<string>();

    private static async Task<string?> FromRouteAsync(RouteValueDictionary route, TenantOwners owners, CancellationToken cancellationToken)
    {
        foreach (var value in RouteIds(route))
        {
            if (Id.HasPrefix(value, IdPrefix.Organization)) return value;
            if (owners.Knows(value)) return await owners.OwnerOfAsync(value, cancellationToken);
        }
        return null;
    }

    private static Task<bool> ExistsAsync(HttpContext context, string organizationId, CancellationToken cancellationToken) =>
        context.RequestServices.GetRequiredService<AppDb>().Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == organizationId, cancellationToken);
}
