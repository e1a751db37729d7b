using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Incidents;

public sealed record ReportIncidentRequest(string? Title, IncidentSeverity? Severity, string? Description, string? Affected);
public sealed record UpdateIncidentRequest(IncidentStatus? Status, string? Note);
public sealed record IncidentTimelineResponse(IncidentStatus? FromStatus, IncidentStatus ToStatus, string? Note, string? ActorUserId, DateTimeOffset At);
public sealed record IncidentResponse(
    string Id, string OrganizationId, string Title, IncidentSeverity Severity, string? Description, string? Affected, IncidentStatus Status,
    string? ReportedByUserId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<IncidentTimelineResponse> Timeline);

/// <summary>Reporting incidents and moving them through open, investigating and resolved.</summary>
public sealed class IncidentService(AppDb db)
{
    public async Task<Result<IncidentResponse>> ReportAsync(ReportIncidentRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("title", request.Title, 200).Length("description", request.Description, 5000)
            .Length("affected", request.Affected, 2000).When(request.Severity is null, "severity", "is required: low, medium, high or critical.");
        if (validation.Failed) return validation.ToError();
        var now = db.Clock.GetUtcNow();
        var incident = new Incident
        {
            Id = Id.New(IdPrefix.Incident, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Title = request.Title!.Trim(),
            Severity = request.Severity!.Value,
            Description = request.Description,
            Affected = request.Affected,
            Status = IncidentStatus.Open,
            ReportedByUserId = db.Request.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Set<Incident>().Add(incident);
        var step = Step(incident, null, IncidentStatus.Open, null);
        db.Set<IncidentTimelineEntry>().Add(step);
        db.Raise(new IncidentReported(incident.OrganizationId, incident.Id, incident.Title, incident.Severity, incident.ReportedByUserId));
        await db.SaveChangesAsync(cancellationToken);
        return Describe(incident, [step]);
    }

    public Task<Page<IncidentResponse>> ListAsync(PageRequest page, IncidentStatus? status, CancellationToken cancellationToken)
    {
        var query = db.Set<Incident>().AsNoTracking();
        if (status is not null) query = query.Where(i => i.Status == status);
        return query.OrderByDescending(i => i.Id).ToPageAsync(page, (q, after) => q.Where(i => string.Compare(i.Id, after) < 0),
            i => i.Id, i => Describe(i, []), cancellationToken);
    }

    public async Task<(IncidentResponse Incident, int Version)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var incident = await db.Set<Incident>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (incident is null) return null;
        return (Describe(incident, await TimelineAsync(id, cancellationToken)), incident.Version);
    }

    public async Task<Result<(IncidentResponse Incident, int Version)>> UpdateAsync(string id, UpdateIncidentRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var validation = new Validation().When(request.Status is null, "status", "is required: open, investigating or resolved.").Length("note", request.Note, 2000);
        if (validation.Failed) return validation.ToError();
        var incident = await db.Set<Incident>().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (incident is null) return Error.NotFound("incident");
        if (!ifMatch(incident.Version)) return new Error(412, "stale_version", "The incident changed since you read it (If-Match); read it again and retry.");
        var to = request.Status!.Value;
        if (to != incident.Status)
        {
            if (!Incident.CanMove(incident.Status, to))
                return Error.Conflict("invalid_transition", $"An incident cannot move from {Name(incident.Status)} to {Name(to)}.");
            var from = incident.Status;
            var now = db.Clock.GetUtcNow();
            incident.Status = to;
            incident.ResolvedAt = to == IncidentStatus.Resolved ? now : null;
            incident.UpdatedAt = now;
            incident.Version++;
            db.Set<IncidentTimelineEntry>().Add(Step(incident, from, to, request.Note));
            db.Raise(new IncidentStatusChanged(incident.OrganizationId, incident.Id, from, to));
            await db.SaveChangesAsync(cancellationToken);
        }
        return (Describe(incident, await TimelineAsync(id, cancellationToken)), incident.Version);
    }

    private async Task<List<IncidentTimelineEntry>> TimelineAsync(string id, CancellationToken cancellationToken) =>
        await db.Set<IncidentTimelineEntry>().AsNoTracking().Where(t => t.IncidentId == id).OrderBy(t => t.Id).ToListAsync(cancellationToken);

    private IncidentTimelineEntry Step(Incident incident, IncidentStatus? from, IncidentStatus to, string? note) => new()
    {
        Id = Id.New(IdPrefix.IncidentTimeline, db.Clock),
        OrganizationId = incident.OrganizationId,
        IncidentId = incident.Id,
        FromStatus = from,
        ToStatus = to,
        Note = note,
        ActorUserId = db.Request.UserId,
        At = db.Clock.GetUtcNow(),
    };

    private static string Name(IncidentStatus status) => status.ToString().ToLowerInvariant();

    private static IncidentResponse Describe(Incident i, IReadOnlyList<IncidentTimelineEntry> timeline) => new(
        i.Id, i.OrganizationId, i.Title, i.Severity, i.Description, i.Affected, i.Status, i.ReportedByUserId, i.CreatedAt, i.UpdatedAt, i.ResolvedAt,
        timeline.Select(t => new IncidentTimelineResponse(t.FromStatus, t.ToStatus, t.Note, t.ActorUserId, t.At)).ToList());
}
