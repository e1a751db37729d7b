using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>
/// Security records about the person: alerts (their detail names addresses; notes on them may name the person), incidents they
/// reported (kept, as security records, with the person's name and email replaced by a pseudonym),
/// the last address of keys they created, and earlier export bundles about them.
/// </summary>
internal sealed class SecurityPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "security";
    public int Order => 60;
    public IReadOnlyList<Type> Covers { get; } = [typeof(SecurityAlert), typeof(Incident), typeof(IncidentTimelineEntry), typeof(ApiKey), typeof(DataRequest)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        if (subject.UserId is not { } userId) return null;
        var alerts = await db.Set<SecurityAlert>().AsNoTracking().Where(a => a.SubjectUserId == userId).OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.Kind, a.Severity, a.Title, a.Detail, a.CreatedAt }).ToListAsync(cancellationToken);
        var incidents = await db.Set<Incident>().AsNoTracking().Where(i => i.ReportedByUserId == userId).OrderBy(i => i.Id)
            .Select(i => new { i.Id, i.Title, i.Severity, i.Status, i.Description, i.Affected, i.CreatedAt }).ToListAsync(cancellationToken);
        var keys = await db.Set<ApiKey>().AsNoTracking().Where(k => k.CreatedByUserId == userId).OrderBy(k => k.Id)
            .Select(k => new { k.Id, k.Name, k.Prefix, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.LastUsedIp }).ToListAsync(cancellationToken);
        return new { alerts, reportedIncidents = incidents, apiKeys = keys };
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var touched = 0;
        if (subject.UserId is { } userId)
        {
            touched += await db.Set<SecurityAlert>().Where(a => a.SubjectUserId == userId && a.Detail != null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Detail, (string?)null), cancellationToken);
            touched += await db.Set<ApiKey>().Where(k => k.CreatedByUserId == userId && k.LastUsedIp != null)
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedIp, (string?)null), cancellationToken);
        }
        foreach (var trace in subject.Traces)
        {
            touched += await db.Set<Incident>().Where(i => i.Title.Contains(trace) || (i.Description != null && i.Description.Contains(trace)) || (i.Affected != null && i.Affected.Contains(trace)))
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.Title, x => x.Title.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.Description, x => x.Description!.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.Affected, x => x.Affected!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<IncidentTimelineEntry>().Where(t => t.Note != null && t.Note.Contains(trace))
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.Note, x => x.Note!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<SecurityAlert>().Where(a => a.Detail != null && a.Detail.Contains(trace))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Detail, x => x.Detail!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<SecurityAlert>().Where(a => a.AcknowledgementNote != null && a.AcknowledgementNote.Contains(trace))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.AcknowledgementNote, x => x.AcknowledgementNote!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<DataRequest>().Where(r => r.ExportJson != null && r.ExportJson.Contains(trace))
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.ExportJson, (string?)null), cancellationToken);
        }
        return touched;
    }
}
