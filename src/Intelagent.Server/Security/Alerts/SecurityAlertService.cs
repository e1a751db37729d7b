using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Alerts;

public sealed record AcknowledgeAlertRequest(string? Note);

public sealed record SecurityAlertResponse(
    string Id, string Kind, string Severity, string Title, string? Detail, string? SubjectUserId, string? AuditEntryId, DateTimeOffset CreatedAt,
    SecurityAlertStatus Status, DateTimeOffset? AcknowledgedAt, string? AcknowledgedByUserId, string? AcknowledgedByName, string? AcknowledgementNote);

/// <summary>The alerts of the organization in context: listing them and acknowledging one.</summary>
public sealed class SecurityAlertService(AppDb db)
{
    public const int MaxNoteLength = 1000;

    public async Task<Page<SecurityAlertResponse>> ListAsync(PageRequest page, string? kind, SecurityAlertStatus? status, CancellationToken cancellationToken)
    {
        var query = db.Set<SecurityAlert>().AsNoTracking();
        if (!string.IsNullOrEmpty(kind)) query = query.Where(a => a.Kind == kind);
        if (status == SecurityAlertStatus.Open) query = query.Where(a => a.AcknowledgedAt == null);
        else if (status == SecurityAlertStatus.Acknowledged) query = query.Where(a => a.AcknowledgedAt != null);
        var found = await query.OrderByDescending(a => a.Id).ToPageAsync(page, (q, after) => q.Where(a => string.Compare(a.Id, after) < 0), a => a.Id, a => a, cancellationToken);
        var names = await NamesAsync(found.Items.Select(a => a.AcknowledgedByUserId), cancellationToken);
        return new Page<SecurityAlertResponse>(found.Items.Select(a => Describe(a, names)).ToList(), found.NextCursor);
    }

    /// <summary>Records who looked at the alert, when, and what they noted; an alert is acknowledged once.</summary>
    public async Task<Result<SecurityAlertResponse>> AcknowledgeAsync(string id, AcknowledgeAlertRequest? request, CancellationToken cancellationToken)
    {
        var note = string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim();
        var validation = new Validation().Length("note", note, MaxNoteLength);
        if (validation.Failed) return validation.ToError();
        var alert = await db.Set<SecurityAlert>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null) return Error.NotFound("security alert");
        if (alert.AcknowledgedAt is not null) return AlreadyAcknowledged(alert);
        alert.AcknowledgedAt = db.Clock.GetUtcNow();
        alert.AcknowledgedByUserId = db.Request.UserId;
        alert.AcknowledgementNote = note;
        db.Audit("security_alert.acknowledged", "security_alert", alert.Id, new { alert.Kind, alert.Severity, note });
        db.Raise(new SecurityAlertAcknowledged(alert.OrganizationId, alert.Id, alert.AcknowledgedByUserId));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Error.Conflict("alert_already_acknowledged", "Someone acknowledged this alert at the same time; read it again.");
        }
        return Describe(alert, await NamesAsync([alert.AcknowledgedByUserId], cancellationToken));
    }

    private static Error AlreadyAcknowledged(SecurityAlert alert) =>
        Error.Conflict("alert_already_acknowledged", $"The alert was already acknowledged at {alert.AcknowledgedAt:yyyy-MM-dd HH:mm:ss} UTC.");

    /// <summary>The names of the people who acknowledged, so the center says who rather than an id.</summary>
    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string?> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.OfType<string>().Distinct().ToList();
        if (ids.Count == 0) return [];
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Name }).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
    }

    private static SecurityAlertResponse Describe(SecurityAlert a, IReadOnlyDictionary<string, string> names) => new(
        a.Id, a.Kind, a.Severity, a.Title, a.Detail, a.SubjectUserId, a.AuditEntryId, a.CreatedAt, a.Status, a.AcknowledgedAt, a.AcknowledgedByUserId,
        a.AcknowledgedByUserId is { } by && names.TryGetValue(by, out var name) ? name : null, a.AcknowledgementNote);
}
