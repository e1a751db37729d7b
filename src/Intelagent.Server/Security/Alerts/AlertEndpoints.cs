using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime;
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
            .WithSummary("Newest first; ?kind=failed_sign_in_burst|new_sign_in_address|mass_export").Produces<Page<SecurityAlertResponse>>().WithProblems(400, 403, 404);
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

/// <summary>Admins and owners hear about every alert at once (the hub's security:alert event comes with the real-time issue).</summary>
internal sealed class SecurityAlertNotifications(Notifier notifier) : IDomainEventHandler<SecurityAlertRaised>
{
    public async Task HandleAsync(SecurityAlertRaised e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await notifier.NotifyRolesAsync(e.OrganizationId, Role.Admin, "security.alert", $"Security alert: {e.Title}",
            "Activity monitoring raised an alert. Review it in the security center.", exceptUserId: null, cancellationToken);
        await notifier.SaveAsync(cancellationToken);
    }
}
