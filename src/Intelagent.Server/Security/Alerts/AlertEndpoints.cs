using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Security.Alerts;

/// <summary>The alerts activity monitoring raised in the organization in context (X-Organization-Id, or the alert's id).</summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/alerts").WithTags("Security alerts");
        group.MapGet("/", ListAsync).RequirePermission(Permissions.AuditRead).WithName("ListSecurityAlerts")
            .WithSummary("Newest first; ?kind=failed_sign_in_burst|new_sign_in_address|mass_export|off_hours_admin_action|api_key_new_address, ?status=open|acknowledged").Produces<Page<SecurityAlertResponse>>().WithProblems(400, 403, 404);
        // Acknowledging changes the alert, so it needs a write permission: audit.read is a read, which
        // operators hold in every tenant (operators only read there) and which a read-only key may hold.
        // security.settings.manage is held by exactly the roles that read the alerts (admin, owner: see
        // RolePermissions), so whoever sees an alert in the security center may acknowledge it.
        group.MapPost("/{id}/acknowledge", AcknowledgeAsync).RequirePermission(Permissions.SecuritySettingsManage).WithName("AcknowledgeSecurityAlert")
            .WithSummary($"Marks the alert as seen, with an optional note (at most {SecurityAlertService.MaxNoteLength} characters); a second acknowledgement is a 409")
            .Produces<SecurityAlertResponse>().WithProblems(400, 403, 404, 409);
        return app;
    }

    private static async Task<IResult> ListAsync(string? kind, string? status, int? limit, string? cursor, SecurityAlertService alerts, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        if (kind is { Length: > 40 }) return Error.Validation("kind", "is not an alert kind.").ToResult();
        SecurityAlertStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<SecurityAlertStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                return Error.Validation("status", "must be open or acknowledged.").ToResult();
            wanted = parsed;
        }
        return TypedResults.Ok(await alerts.ListAsync(page.Value!, kind, wanted, cancellationToken));
    }

    private static async Task<IResult> AcknowledgeAsync(string id, AcknowledgeAlertRequest? request, SecurityAlertService alerts, CancellationToken cancellationToken) =>
        (await alerts.AcknowledgeAsync(id, request, cancellationToken)).ToHttp(TypedResults.Ok);
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

/// <summary>What the hub's security:alert_acknowledged event carries.</summary>
public sealed record SecurityAlertAcknowledgedPayload(string AlertId, string? AcknowledgedByUserId);

/// <summary>
/// An acknowledgement reaches the same audiences as the alert did (those who read the audit trail,
/// and operators), so every open security center moves the alert out of "open" without a reload.
/// </summary>
internal sealed class SecurityAlertAcknowledgements(RealtimePublisher publisher) : IDomainEventHandler<SecurityAlertAcknowledged>
{
    public async Task HandleAsync(SecurityAlertAcknowledged e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var payload = new SecurityAlertAcknowledgedPayload(e.AlertId, e.AcknowledgedByUserId);
        publisher.Stage(RealtimeDraft.ForOrganization(e.OrganizationId, RealtimeEventTypes.SecurityAlertAcknowledged, Permissions.AuditRead, payload) with { SourceEventId = envelope.Id });
        publisher.Stage(RealtimeDraft.ForOperators(e.OrganizationId, RealtimeEventTypes.SecurityAlertAcknowledged, payload) with { SourceEventId = envelope.Id });
        await publisher.CommitAsync(cancellationToken);
    }
}
