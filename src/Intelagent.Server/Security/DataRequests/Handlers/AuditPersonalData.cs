using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>
/// Audit entries stay (they are the record of what happened) but lose their personal fields: the
/// address, the user agent and the data. The chain covers those only through keyed digests, so the
/// trail still verifies and shows the entries as redacted. Ids stay: they point at the pseudonymised account.
/// </summary>
internal sealed class AuditPersonalData(AppDb db) : IPersonalDataHandler
{
    private const int ExportLimit = 5000;

    public string Section => "auditTrail";
    public int Order => 90;
    public IReadOnlyList<Type> Covers { get; } = [typeof(AuditEntry)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, AuditEntry>();
        foreach (var query in Queries(subject))
            foreach (var entry in await query.AsNoTracking().OrderBy(e => e.Id).Take(ExportLimit).ToListAsync(cancellationToken))
                found.TryAdd(entry.Id, entry);
        return found.Values.OrderBy(e => e.Id).Take(ExportLimit)
            .Select(e => new { e.Id, e.At, e.Action, e.TargetType, e.TargetId, e.Outcome, e.Ip, e.UserAgent, e.Data }).ToList();
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var touched = 0;
        foreach (var query in Queries(subject))
            touched += await query.Where(e => e.Ip != null || e.UserAgent != null || e.Data != null).ExecuteUpdateAsync(e => e
                .SetProperty(x => x.Ip, (string?)null).SetProperty(x => x.UserAgent, (string?)null).SetProperty(x => x.Data, (string?)null), cancellationToken);
        return touched;
    }

    /// <summary>
    /// Entries of this organization by or about the person or naming them in their data, and, when
    /// the account goes, the platform entries (sign-ins, registration) of the account.
    /// </summary>
    private IEnumerable<IQueryable<AuditEntry>> Queries(PersonalDataSubject subject)
    {
        var organizationId = subject.OrganizationId;
        var entries = subject.EraseAccount
            ? db.AuditEntries.Where(e => e.OrganizationId == organizationId || e.OrganizationId == null)
            : db.AuditEntries.Where(e => e.OrganizationId == organizationId);
        if (subject.UserId is { } userId) yield return entries.Where(e => e.ActorUserId == userId || e.TargetId == userId);
        foreach (var trace in subject.Traces) yield return entries.Where(e => e.Data != null && e.Data.Contains(trace));
    }
}
