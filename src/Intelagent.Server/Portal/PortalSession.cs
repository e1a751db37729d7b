using System.Security.Claims;
using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal;

/// <summary>
/// The signed-in person of one Blazor circuit and the organization they are looking at. Every
/// action runs in a fresh service scope whose <see cref="RequestContext"/> is filled exactly as the
/// API's pipeline fills it (live session, tenant, role), and is authorized by the same permission
/// policies and <see cref="PermissionHandler"/> as the endpoints: the portal cannot do what the API
/// would refuse. A circuit outlives its requests, so the session is checked again on every action.
/// </summary>
public sealed class PortalSession(AuthenticationStateProvider authentication, IServiceScopeFactory scopes, SessionCache sessions, MembershipCache memberships,
    SecurityPolicyCache policies, SessionActivity activity, TimeProvider clock)
{
    private ClaimsPrincipal _principal = new();
    private string? _sessionId;

    public string? UserId { get; private set; }
    public string Name { get; private set; } = "";
    public string Email { get; private set; } = "";
    public bool IsOperator { get; private set; }
    public bool IsSignedIn => UserId is not null;

    /// <summary>The caller's address and agent, captured from the page request, for audit entries.</summary>
    public string? ClientIp { get; set; }
    public string? ClientAgent { get; set; }

    public IReadOnlyList<OrganizationSummary> Organizations { get; private set; } = [];
    public OrganizationSummary? Current { get; private set; }
    public Role? Role => Current?.Role;

    /// <summary>Raised when the organization in context changes, so the shell and pages reload.</summary>
    public event Func<Task>? OrganizationChanged;

    private Task<bool>? _initialization;

    /// <summary>Reads the circuit's user once; false when nobody (or an ended session) is signed in.</summary>
    public Task<bool> EnsureSignedInAsync(CancellationToken cancellationToken = default) => _initialization ??= InitializeAsync(cancellationToken);

    private async Task<bool> InitializeAsync(CancellationToken cancellationToken)
    {
        _principal = (await authentication.GetAuthenticationStateAsync()).User;
        _sessionId = _principal.FindFirst(TokenService.SessionClaim)?.Value;
        var session = _sessionId is null ? null : await sessions.GetActiveAsync(_sessionId, cancellationToken);
        if (session is null) return false;
        UserId = session.UserId;
        IsOperator = session.IsOperator;
        await using var scope = CreateScope(null, null);
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == session.UserId).Select(u => new { u.Name, u.Email }).FirstAsync(cancellationToken);
        (Name, Email) = (user.Name, user.Email);
        await LoadOrganizationsAsync(scope.ServiceProvider, cancellationToken);
        return true;
    }

    private async Task LoadOrganizationsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var organizations = services.GetRequiredService<OrganizationService>();
        var page = await organizations.ListForCallerAsync(new PageRequest(PageRequest.MaxLimit, null), null, null, cancellationToken);
        Organizations = page.Items.OrderBy(o => o.Name).ToList();
        Current = Organizations.FirstOrDefault(o => o.Id == Current?.Id) ?? Organizations.FirstOrDefault();
    }

    public async Task SwitchOrganizationAsync(string organizationId)
    {
        var next = Organizations.FirstOrDefault(o => o.Id == organizationId);
        if (next is null || next.Id == Current?.Id) return;
        Current = next;
        if (OrganizationChanged is { } handlers)
            foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>()) await handler();
    }

    /// <summary>Re-reads the memberships (a role may have changed, an organization been left).</summary>
    public async Task RefreshOrganizationsAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = CreateScope(null, null);
        await LoadOrganizationsAsync(scope.ServiceProvider, cancellationToken);
    }

    /// <summary>Whether the permission check of the API would let the caller do this now.</summary>
    public async Task<bool> AllowsAsync(string permission, string? resourceId = null, string? organizationId = null)
    {
        var (scope, error) = await PrepareAsync(permission, resourceId, organizationId, CancellationToken.None);
        if (scope is { } prepared) await prepared.DisposeAsync();
        return error is null;
    }

    /// <summary>
    /// Runs one unit of work as the API would for a request needing <paramref name="permission"/>:
    /// in the organization in context (or <paramref name="organizationId"/>), authorized first.
    /// </summary>
    public async Task<Result<T>> RunAsync<T>(string permission, Func<IServiceProvider, CancellationToken, Task<Result<T>>> work,
        string? resourceId = null, string? organizationId = null, CancellationToken cancellationToken = default)
    {
        var (scope, error) = await PrepareAsync(permission, resourceId, organizationId, cancellationToken);
        if (scope is not { } prepared) return error!;
        await using (prepared)
            return await work(prepared.ServiceProvider, cancellationToken);
    }

    private async Task<(AsyncServiceScope? Scope, Error? Error)> PrepareAsync(string permission, string? resourceId, string? organizationId, CancellationToken cancellationToken)
    {
        var session = _sessionId is null ? null : await sessions.GetActiveAsync(_sessionId, cancellationToken);
        if (session is null || session.UserId != UserId)
            return (null, new Error(401, "invalid_token", "Your session has ended. Sign in again."));
        IsOperator = session.IsOperator;

        string? tenant = null;
        Role? role = null;
        if (!Permissions.IsPlatform(permission))
        {
            tenant = organizationId ?? Current?.Id;
            if (tenant is null) return (null, new Error(404, "not_found", "You are not a member of any organization yet."));
            role = await memberships.RoleOfAsync(session.UserId, tenant, cancellationToken);
            if (role is null && !(IsOperator && await OrganizationExistsAsync(tenant, cancellationToken)))
                return (null, Error.NotFound("organization"));
            // The organization's guards, as OrganizationGuardMiddleware applies them to the API.
            if (await GuardAsync(tenant, role, session, cancellationToken) is { } refused) return (null, refused);
        }

        var scope = CreateScope(tenant, role);
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(_principal, resourceId, EndpointPermissionExtensions.PolicyPrefix + permission);
        if (result.Succeeded) return (scope, null);
        await scope.DisposeAsync();
        var failure = result.Failure?.FailureReasons.OfType<PermissionFailure>().FirstOrDefault();
        return (null, failure is null ? Error.Forbidden("forbidden", "You may not do this.") : new Error(failure.Status, failure.Code, failure.Message));
    }

    /// <summary>
    /// The refusal OrganizationGuardMiddleware would answer in this organization: its IP allow-list
    /// (everyone), then for members the idle timeout (a page left open past it ends the session at its
    /// next action or live refresh, which then goes to sign-in), an expired password or missing 2FA.
    /// </summary>
    private async Task<Error?> GuardAsync(string organizationId, Role? role, SessionInfo session, CancellationToken cancellationToken)
    {
        var policy = await policies.ForAsync(organizationId, cancellationToken);
        if (!policy.Allows(System.Net.IPAddress.TryParse(ClientIp ?? "", out var address) ? address : null))
            return Error.Forbidden("ip_not_allowed", "This organization does not accept requests from your address.");
        if (role is null) return null;
        if (IdleSessions.Expired(policy, session, activity, clock.GetUtcNow()) is { } idle)
        {
            await using (var scope = CreateScope(organizationId, role))
                await IdleSessions.EndAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), session.SessionId, sessions, activity, clock.GetUtcNow(), cancellationToken);
            return new Error(401, IdleSessions.Code, IdleSessions.Message(idle));
        }
        if (policy.Password.ExpirationDays > 0 && session.PasswordChangedAt.AddDays(policy.Password.ExpirationDays) <= clock.GetUtcNow())
            return Error.Forbidden(PasswordExpiredCode, "Your password has expired under your organization's policy: change it to continue.");
        if (policy.RequireTwoFactor && !session.TwoFactorEnabled)
            return Error.Forbidden(TwoFactorRequiredCode, "This organization requires two-factor authentication: set it up to continue.");
        return null;
    }

    /// <summary>
    /// What the person does in the browser (an event, a navigation, a script's callback: the circuit's
    /// inbound activity, see <see cref="PortalCircuitActivity"/>) is the session's activity, as a request
    /// is for the API. A session already idle past the organization's timeout is ended instead, so the
    /// action it carried is refused and the page goes to sign-in. Live updates are not activity.
    /// </summary>
    public async Task TouchAsync(CancellationToken cancellationToken = default)
    {
        if (_sessionId is null || UserId is null) return;
        var session = await sessions.GetActiveAsync(_sessionId, cancellationToken);
        if (session is null) return;
        var now = clock.GetUtcNow();
        if (Current is { Role: not null } organization && await policies.ForAsync(organization.Id, cancellationToken) is var policy
            && IdleSessions.Expired(policy, session, activity, now) is not null)
        {
            await using var scope = CreateScope(organization.Id, organization.Role);
            await IdleSessions.EndAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), session.SessionId, sessions, activity, now, cancellationToken);
            return;
        }
        activity.Record(session.SessionId, now, ClientIp);
    }

    public const string PasswordExpiredCode = "password_expired";
    public const string TwoFactorRequiredCode = "two_factor_required";

    /// <summary>
    /// What must happen before anything else after signing in (the /account/continue step): a password
    /// change when it expired under any organization's policy, else 2FA enrolment when any
    /// organization of the person requires it and they have none. Null when nothing is due.
    /// </summary>
    public async Task<string?> ObligationAsync(CancellationToken cancellationToken = default)
    {
        var session = _sessionId is null ? null : await sessions.GetActiveAsync(_sessionId, cancellationToken);
        if (session is null) return null;
        if (await policies.StrictestPasswordExpiryDaysAsync(session.UserId, cancellationToken) is > 0 and var days
            && session.PasswordChangedAt.AddDays(days) <= clock.GetUtcNow())
            return PasswordExpiredCode;
        if (session.TwoFactorEnabled) return null;
        foreach (var organization in Organizations)
            if ((await policies.ForAsync(organization.Id, cancellationToken)).RequireTwoFactor) return TwoFactorRequiredCode;
        return null;
    }

    /// <summary>
    /// Runs work on the signed-in person's own account (2FA, password, sessions: the API's signed-in
    /// /api/auth routes, outside any organization). As there, an expired password allows only changing it.
    /// </summary>
    public async Task<Result<T>> RunForSelfAsync<T>(Func<IServiceProvider, SessionInfo, CancellationToken, Task<Result<T>>> work,
        bool allowedWithExpiredPassword = false, CancellationToken cancellationToken = default)
    {
        var session = _sessionId is null ? null : await sessions.GetActiveAsync(_sessionId, cancellationToken);
        if (session is null || session.UserId != UserId)
            return new Error(401, "invalid_token", "Your session has ended. Sign in again.");
        if (!allowedWithExpiredPassword && await ObligationAsync(cancellationToken) == PasswordExpiredCode)
            return Error.Forbidden(PasswordExpiredCode, "Your password has expired under your organization's policy: change it first.");
        await using var scope = CreateScope(null, null);
        return await work(scope.ServiceProvider, session, cancellationToken);
    }

    /// <summary>What the signed-in person may receive live: the same groups and filter as their hub connections.</summary>
    public async Task<Realtime.Stream.RealtimeAccess?> RealtimeAccessAsync(CancellationToken cancellationToken = default)
    {
        if (UserId is null) return null;
        await using var scope = CreateScope(null, null);
        return await Realtime.Stream.RealtimeAccess.LoadAcrossTenantsAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), UserId, IsOperator, cancellationToken);
    }

    private AsyncServiceScope CreateScope(string? organizationId, Role? role)
    {
        var scope = scopes.CreateAsyncScope();
        var request = scope.ServiceProvider.GetRequiredService<RequestContext>();
        request.UserId = UserId;
        request.SessionId = _sessionId;
        request.IsOperator = IsOperator;
        request.Ip = ClientIp;
        request.UserAgent = ClientAgent;
        if (organizationId is not null) request.SetTenant(organizationId, role);
        return scope;
    }

    private async Task<bool> OrganizationExistsAsync(string organizationId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDb>().Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == organizationId, cancellationToken);
    }
}

/// <summary>Hands every inbound activity of a portal circuit to <see cref="PortalSession.TouchAsync"/> before it runs.</summary>
public sealed class PortalCircuitActivity(PortalSession portal, ILogger<PortalCircuitActivity> logger) : Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler
{
    public override Func<Microsoft.AspNetCore.Components.Server.Circuits.CircuitInboundActivityContext, Task> CreateInboundActivityHandler(
        Func<Microsoft.AspNetCore.Components.Server.Circuits.CircuitInboundActivityContext, Task> next) => async context =>
    {
        try { await portal.TouchAsync(); }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Bookkeeping must not break the page; the action's own checks still run.
            logger.LogWarning(exception, "Could not record portal activity");
        }
        await next(context);
    };
}
