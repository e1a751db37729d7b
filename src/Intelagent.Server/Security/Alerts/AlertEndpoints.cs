using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Alerts;

public sealed record SecurityAlertResponse(string Id, string Kind, string Severity, string Title, string? Detail, string? SubjectUserId, string? AuditEntryId, DateTimeOffset CreatedAt);

/// <summary>The alerts activity monitoring raised in the organization in context (X-Organization-Id).</summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/security/alerts").WithTags("Security alerts")
            .MapGet("/", ListAsync).RequirePermission(Permissions.AuditRead).WithName("ListSecurityAlerts")
            .WithSummary("Newest first; ?kind=failed_sign_in_burst|new_sign_in_address|mass_export|off_hours_admin_action|api_key_new_address").Produces<Page<SecurityAlertResponse>>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(string? kind, int? limit, string? cursor, AppDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        if (kind is { Length: > 40 }) return Error.Validation("kind", "is not an alert kind.").ToResult();
        var query = db.Set<SecurityAlert>().AsNoTracking();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(a => a.Kind == kind);
        return TypedResults.Ok(await query.OrderByDescending(a => a.Id).ToPageAsync(page.Value!, (q, after) => q.Where(a => string.Compare(a.Id, after) < 0),
            a => a.Id, a => new SecurityAlertResponse(a.Id, a.Kind, a.Severity, a.Title, a.Detail, a.SubjectUserId, a.AuditEntryId, a.CreatedAt), cancellationToken));
    }
}

/// <summary>What the hub's security:alert event carries.</summary>
public sealed record SecurityAlertPayload(string AlertId, string Kind, string Severity, string Title);

/// <summary>
/// Admins and owners hear about every alert at once: a stored notification each, and a
/// security:alert event on the hub for those who may read the audit trail and for the platform's
/// operators (once per domain event, even if the outbox delivers it again).
/// </summary>
internal sealed class SecurityAlertNotifications(Notifier notifier, RealtimePublisher publisher) : IDomainEventHandler<SecurityAlertRaised>
{
    public async Task HandleAsync(SecurityAlertRaised e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await notifier.NotifyRolesAsync(e.OrganizationId, Role.Admin, "security.alert", $"Security alert: {e.Title}",
            "Activity monitoring raised an alert. Review it in the security center.", exceptUserId: null, cancellationToken);
        var payload = new SecurityAlertPayload(e.AlertId, e.Kind, e.Severity, e.Title);
        publisher.Stage(RealtimeDraft.ForOrganization(e.OrganizationId, RealtimeEventTypes.SecurityAlert, Permissions.AuditRead, payload) with { SourceEventId = envelope.Id });
        // Operators watch every organization's alerts at once (the admin portal's security page).
        publisher.Stage(RealtimeDraft.ForOperators(e.OrganizationId, RealtimeEventTypes.SecurityAlert, payload) with { SourceEventId = envelope.Id });
        // Saves the notifications and the stored realtime event together, then sends it.
        await publisher.CommitAsync(cancellationToken);
    }
}
