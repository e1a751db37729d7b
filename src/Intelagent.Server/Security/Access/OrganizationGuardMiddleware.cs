using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Access;

/// <summary>
/// The organization guards, after tenant resolution (docs/architecture.md): on the routes of an
/// organization, its IP allow-list (every caller, API keys included), then for its members signed
/// in with a session: the idle timeout, password expiry and required 2FA. Every signed-in request
/// counts as session activity, kept in memory and flushed in batches.
/// </summary>
public sealed class OrganizationGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, RequestContext request, SecurityPolicyCache policies, SessionCache sessions,
        SessionActivity activity, TimeProvider clock)
    {
        if (request.UserId is null)
        {
            await next(context);
            return;
        }
        var cancellationToken = context.RequestAborted;
        var now = clock.GetUtcNow();
        var session = request.SessionId is null ? null : await sessions.GetActiveAsync(request.SessionId, cancellationToken);
        if (request.OrganizationId is { } organizationId)
        {
            var policy = await policies.ForAsync(organizationId, cancellationToken);
            if (!policy.Allows(context.Connection.RemoteIpAddress))
            {
                await Problem.WriteAsync(context, 403, "ip_not_allowed", "This organization does not accept requests from your address.");
                return;
            }
            if (session is not null && request.Role is not null && await RefuseAsync(context, policy, session, activity, sessions, now))
                return;
        }
        else if (session is not null && !MayUseWithExpiredPassword(context)
                 && await policies.StrictestPasswordExpiryDaysAsync(session.UserId, cancellationToken) is > 0 and var days
                 && session.PasswordChangedAt.AddDays(days) <= now)
        {
            await Problem.WriteAsync(context, 403, "password_expired", PasswordExpired);
            return;
        }
        if (session is not null) activity.Record(session.SessionId, now, request.Ip);
        await next(context);
    }

    private const string PasswordExpired = "Your password has expired under your organization's policy: change it (POST /api/auth/change-password).";

    /// <summary>
    /// Outside an organization an expired password still allows changing it, signing out, and the
    /// anonymous doors (a stale token sent to login must not block signing in).
    /// </summary>
    private static bool MayUseWithExpiredPassword(HttpContext context)
    {
        var path = context.Request.Path;
        return path.StartsWithSegments("/api/auth/change-password") || path.StartsWithSegments("/api/auth/logout")
            || context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null
            || context.GetEndpoint() is null;
    }

    /// <summary>Writes the refusal and returns true when a member's session breaks the organization's policy.</summary>
    private static async Task<bool> RefuseAsync(HttpContext context, SecurityPolicy policy, SessionInfo session, SessionActivity activity,
        SessionCache sessions, DateTimeOffset now)
    {
        if (IdleSessions.Expired(policy, session, activity, now) is { } idle)
        {
            await IdleSessions.EndAsync(context.RequestServices.GetRequiredService<AppDb>(), session.SessionId, sessions, activity, now, context.RequestAborted);
            await Problem.WriteAsync(context, 401, IdleSessions.Code, IdleSessions.Message(idle));
            return true;
        }
        if (policy.Password.ExpirationDays > 0 && session.PasswordChangedAt.AddDays(policy.Password.ExpirationDays) <= now)
        {
            await Problem.WriteAsync(context, 403, "password_expired", PasswordExpired);
            return true;
        }
        if (policy.RequireTwoFactor && !session.TwoFactorEnabled)
        {
            await Problem.WriteAsync(context, 403, "two_factor_required", "This organization requires two-factor authentication: enrol an authenticator (POST /api/auth/2fa/totp/enroll) or a phone for SMS codes (POST /api/auth/2fa/sms/enroll).");
            return true;
        }
        return false;
    }
}

/// <summary>
/// An organization's idle timeout, one rule for the API (<see cref="OrganizationGuardMiddleware"/>)
/// and the portal's circuits (PortalSession): idle is the time since the session's latest activity
/// (this node's, else the stored one, else its start); an idle session is ended, and audited.
/// </summary>
public static class IdleSessions
{
    public const string Code = "session_expired";

    public static string Message(TimeSpan idle) => $"The session was idle for more than {idle.TotalMinutes:0} minutes; sign in again.";

    /// <summary>The policy's timeout when the session has been idle longer than it, else null.</summary>
    public static TimeSpan? Expired(SecurityPolicy policy, SessionInfo session, SessionActivity activity, DateTimeOffset now)
    {
        if (policy.IdleTimeout is not { } idle) return null;
        var lastActive = new[] { activity.LatestOnThisNode(session.SessionId), session.LastActivityAt, session.CreatedAt }.Max()!.Value;
        return now - lastActive > idle ? idle : null;
    }

    public static async Task EndAsync(AppDb db, string sessionId, SessionCache sessions, SessionActivity activity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        db.Audit("session.idle_timeout", "session", sessionId);
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        activity.Forget(sessionId);
    }
}
