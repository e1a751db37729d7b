using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// <c>POST /api/events</c>: validates each event on its own, stores the valid ones (idempotent by
/// event id) and reports the rest by index. A batch with some bad events is not refused as a whole:
/// a product's retry would otherwise resend the good ones forever behind one bad event.
/// </summary>
public sealed class ProductEventIngestion(AppDb db, ProductEventWriter writer)
{
    /// <param name="forOperator">True on the operators' route: each event names its organization.</param>
    public async Task<Result<ReportProductEventsResponse>> ReportAsync(ReportProductEventsRequest? request, bool forOperator, CancellationToken cancellationToken)
    {
        var events = request?.Events;
        if (events is null || events.Count == 0) return Error.Validation("events", "must hold at least one event.");
        if (events.Count > ProductEventValidator.MaxBatch) return Error.Validation("events", $"may hold at most {ProductEventValidator.MaxBatch} events per batch.");

        var now = db.Clock.GetUtcNow();
        var caller = forOperator ? null : db.Request.OrganizationId!;
        var valid = new List<ValidProductEvent>();
        var rejected = new List<RejectedProductEvent>();
        var duplicates = new List<DuplicateProductEvent>();
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < events.Count; i++)
        {
            var (checkedEvent, reasons) = ProductEventValidator.Validate(i, events[i], caller, now);
            if (checkedEvent is null) rejected.Add(new RejectedProductEvent(i, events[i]?.Id, reasons));
            else if (!seen.Add((checkedEvent.OrganizationId, checkedEvent.EventId))) duplicates.Add(new DuplicateProductEvent(i, checkedEvent.EventId));
            else valid.Add(checkedEvent);
        }
        if (forOperator && valid.Count > 0)
        {
            var named = valid.Select(e => e.OrganizationId).Distinct().ToList();
            var existing = (await db.Organizations.IgnoreQueryFilters().Where(o => named.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var unknown in valid.Where(e => !existing.Contains(e.OrganizationId)).ToList())
            {
                rejected.Add(new RejectedProductEvent(unknown.Index, unknown.EventId, ["organizationId names no organization."]));
                valid.Remove(unknown);
            }
        }
        if (valid.Count == 0 && duplicates.Count == 0)
            return new Error(422, "no_valid_events", "None of the events is valid; see errors per event.",
                rejected.ToDictionary(r => $"events[{r.Index}]", r => r.Reasons.ToArray()));

        var inserted = await writer.WriteAsync(valid, cancellationToken);
        duplicates.AddRange(valid.Where(e => !inserted.Contains((e.OrganizationId, e.EventId))).Select(e => new DuplicateProductEvent(e.Index, e.EventId)));
        return new ReportProductEventsResponse(inserted.Count, duplicates.Count, rejected.Count,
            duplicates.OrderBy(d => d.Index).ToList(), rejected.OrderBy(r => r.Index).ToList());
    }
}
