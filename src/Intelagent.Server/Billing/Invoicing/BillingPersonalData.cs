using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.DataRequests;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>
/// Billing's personal data: the billing email of the organization's profile, when it is the person's.
/// Invoices name the organization, not people, and are kept for the legal period.
/// </summary>
internal sealed class BillingPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "billing";
    public int Order => 70;
    public IReadOnlyList<Type> Covers { get; } = [typeof(BillingProfile)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var emails = subject.EmailTraces;
        return await db.Set<BillingProfile>().IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.OrganizationId == subject.OrganizationId && p.BillingEmail != null && emails.Contains(p.BillingEmail))
            .Select(p => new { p.OrganizationId, p.BillingEmail }).ToListAsync(cancellationToken);
    }

    public Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var emails = subject.EmailTraces;
        return db.Set<BillingProfile>().IgnoreQueryFilters()
            .Where(p => p.OrganizationId == subject.OrganizationId && p.BillingEmail != null && emails.Contains(p.BillingEmail))
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.BillingEmail, (string?)null), cancellationToken);
    }
}
