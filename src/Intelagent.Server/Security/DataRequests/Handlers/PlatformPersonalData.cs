using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Events;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>
/// The platform's own stores that carry text about people: the email outbox and the domain-event
/// outbox (payloads such as an invitation's address). Email to the person is deleted; elsewhere the
/// person's email, and their name once the account goes, are replaced by the pseudonym.
/// </summary>
internal sealed class PlatformPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "messages";
    public int Order => 80;
    public IReadOnlyList<Type> Covers { get; } = [typeof(EmailMessage), typeof(OutboxMessage)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        // Emails are platform-wide: only those sent to the person's address, while they are a member.
        if (!subject.IsMember) return null;
        var emails = subject.EmailTraces;
        return await db.EmailMessages.AsNoTracking().Where(m => emails.Contains(m.To)).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.To, m.Subject, m.TextBody, m.CreatedAt, m.SentAt }).ToListAsync(cancellationToken);
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var emails = subject.EmailTraces;
        var touched = await db.EmailMessages.Where(m => emails.Contains(m.To)).ExecuteDeleteAsync(cancellationToken);
        // The name is scrubbed platform-wide only when the whole account goes; the email always.
        var traces = subject.EraseAccount ? subject.Traces : emails;
        foreach (var trace in traces)
        {
            touched += await db.EmailMessages.Where(m => m.Subject.Contains(trace) || m.TextBody.Contains(trace))
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.Subject, x => x.Subject.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.TextBody, x => x.TextBody.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.OutboxMessages.Where(m => m.Payload.Contains(trace) && (m.OrganizationId == subject.OrganizationId || subject.EraseAccount))
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.Payload, x => x.Payload.Replace(trace, subject.Pseudonym)), cancellationToken);
        }
        return touched;
    }
}
