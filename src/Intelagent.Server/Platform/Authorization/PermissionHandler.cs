using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Platform.Authorization;

public sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>Makes one policy per permission on demand: <c>permission:teams.create</c>.</summary>
public sealed class PermissionPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (!policyName.StartsWith(EndpointPermissionExtensions.PolicyPrefix, StringComparison.Ordinal))
            return await base.GetPolicyAsync(policyName);
        var permission = policyName[EndpointPermissionExtensions.PolicyPrefix.Length..];
        return new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)).Build();
    }
}

/// <summary>Why a permission check failed, with the status and code the caller receives.</summary>
public sealed class PermissionFailure(IAuthorizationHandler handler, int status, string code, string detail)
    : AuthorizationFailureReason(handler, detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// Answers every permission from the caller's membership in the resolved organization (bitwarden's
/// organization-requirement pattern): no organization resolved fails closed; a non-member gets 404
/// so the organization's existence is not revealed; a member without the permission gets 403.
/// </summary>
public sealed class PermissionHandler(RequestContext request, ITeamLeadership leadership) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (request.UserId is null) return; // not signed in: the challenge answers 401
        var permission = requirement.Permission;
        if (Permissions.IsPlatform(permission))
        {
            if (request.IsOperator) context.Succeed(requirement);
            else Deny(context, 403, "operator_only", "Only platform operators may do this.");
            return;
        }

        if (request.OrganizationId is null)
        {
            if (request.Failure == TenantResolutionFailure.Ambiguous)
                Deny(context, 400, "organization_required", $"You belong to several organizations: name one with the {TenantResolutionMiddleware.Header} header.");
            else
                Deny(context, 404, "not_found", "The resource was not found.");
            return;
        }

        if (request.Role is not { } role)
        {
            // An operator who is not a member: reads for support, nothing else.
            if (request.IsOperator && Permissions.OperatorMayUseInAnyTenant(permission)) context.Succeed(requirement);
            else Deny(context, 403, "forbidden", $"Operators act on organizations through /api/admin routes; '{permission}' needs a membership.");
            return;
        }

        if (!RolePermissions.Grants(role, permission))
        {
            Deny(context, 403, "forbidden", $"Your role ({role.ToString().ToLowerInvariant()}) does not have the '{permission}' permission.");
            return;
        }

        if (request.ApiKeyPermissions is { } scopes && !scopes.Contains(permission))
        {
            Deny(context, 403, "api_key_scope", $"This API key was not given the '{permission}' permission.");
            return;
        }

        if (RolePermissions.IsScopedToLedTeams(role, permission))
        {
            // An endpoint's resource is the id in its route; the portal passes the resource id itself.
            var resourceId = context.Resource switch
            {
                HttpContext http => http.Request.RouteValues.TryGetValue("id", out var id) ? id as string : null,
                string id => id,
                _ => null,
            };
            var cancellationToken = (context.Resource as HttpContext)?.RequestAborted ?? CancellationToken.None;
            if (resourceId is null || !await leadership.LeadsTeamOfAsync(request.UserId, resourceId, cancellationToken))
            {
                Deny(context, 403, "forbidden", "Managers may do this only for the teams they lead and those teams' projects.");
                return;
            }
        }
        context.Succeed(requirement);
    }

    private void Deny(AuthorizationHandlerContext context, int status, string code, string detail) =>
        context.Fail(new PermissionFailure(this, status, code, detail));
}

/// <summary>Turns authorization outcomes into problems: 401, or the status the handler chose (403, 404, 400).</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var failure = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<PermissionFailure>().FirstOrDefault();
            if (failure is not null) await Problem.WriteAsync(context, failure.Status, failure.Code, failure.Message);
            else await Problem.WriteAsync(context, 403, "forbidden", "You may not do this.");
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
