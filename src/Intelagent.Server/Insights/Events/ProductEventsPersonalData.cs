using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.DataRequests;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// Product events may name a person: a lead's or recipient's email as the subject, a name or email
/// in the free properties. Export lists the events that carry one of the person's traces; erasure
/// replaces each trace with the pseudonym in place, so the counts (and the roll-ups, which hold no
/// personal data) stay true.
/// </summary>
internal sealed class ProductEventsPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "productEvents";
    public int Order => 60;
    public IReadOnlyList<Type> Covers { get; } = [typeof(ProductEvent)];

    private IQueryable<ProductEvent> Events(PersonalDataSubject subject) =>
        db.Set<ProductEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == subject.OrganizationId);

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var found = new List<object>();
        foreach (var trace in subject.Traces)
            found.AddRange(await Events(subject).AsNoTracking()
                .Where(e => e.PropertiesJson.Contains(trace) || (e.SubjectKey != null && e.SubjectKey.Contains(trace)))
                .OrderBy(e => e.Id).Take(10_000)
                .Select(e => new { e.EventId, e.Type, e.OccurredAt, e.SubjectKey, e.Variant, e.PropertiesJson }).ToListAsync(cancellationToken));
        return found.Count == 0 ? null : found.Distinct().ToList();
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var touched = 0;
        foreach (var trace in subject.Traces)
        {
            touched += await Events(subject).Where(e => e.PropertiesJson.Contains(trace))
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.PropertiesJson, x => x.PropertiesJson.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await Events(subject).Where(e => e.SubjectKey != null && e.SubjectKey.Contains(trace))
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.SubjectKey, x => x.SubjectKey!.Replace(trace, subject.Pseudonym)), cancellationToken);
        }
        return touched;
    }
}
