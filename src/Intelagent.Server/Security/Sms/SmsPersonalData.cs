using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.DataRequests;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sms;

/// <summary>Phone numbers: the SMS second factor, its codes, and the text messages sent to the person's phone.</summary>
internal sealed class SmsPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "sms";
    // Before the account handler (20) would matter only for ordering reads; the phone goes with the account.
    public int Order => 15;
    public IReadOnlyList<Type> Covers { get; } = [typeof(SmsPhone), typeof(SmsCode), typeof(SmsMessage)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        // Like the account itself, shown only to an organization the person belongs to.
        if (subject.UserId is not { } userId || !subject.IsMember) return null;
        var phone = await db.Set<SmsPhone>().AsNoTracking().Where(p => p.UserId == userId).Select(p => new { p.PhoneNumber, p.CreatedAt, p.VerifiedAt }).FirstOrDefaultAsync(cancellationToken);
        if (phone is null) return null;
        var messages = await db.Set<SmsMessage>().AsNoTracking().Where(m => m.To == phone.PhoneNumber).OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.Purpose, m.CreatedAt }).ToListAsync(cancellationToken);
        return new { phone, messages };
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        if (subject.UserId is not { } userId || !subject.EraseAccount) return 0;
        var number = await db.Set<SmsPhone>().Where(p => p.UserId == userId).Select(p => p.PhoneNumber).FirstOrDefaultAsync(cancellationToken);
        var touched = 0;
        if (number is not null) touched += await db.Set<SmsMessage>().Where(m => m.To == number).ExecuteDeleteAsync(cancellationToken);
        touched += await db.Set<SmsCode>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        touched += await db.Set<SmsPhone>().Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return touched;
    }
}
