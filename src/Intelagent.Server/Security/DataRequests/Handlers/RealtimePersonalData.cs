using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>Notifications, notification mutes, the activity feed and the stored realtime events of the organization.</summary>
internal sealed class RealtimePersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "notificationsAndActivity";
    public int Order => 50;
    public IReadOnlyList<Type> Covers { get; } = [typeof(Notification), typeof(NotificationMute), typeof(ActivityEntry), typeof(RealtimeEvent)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        if (subject.UserId is not { } userId) return null;
        var notifications = await db.Notifications.AsNoTracking().Where(n => n.UserId == userId).OrderBy(n => n.Id)
            .Select(n => new { n.Id, n.Type, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt }).ToListAsync(cancellationToken);
        var mutes = await db.Set<NotificationMute>().AsNoTracking().Where(m => m.UserId == userId).Select(m => m.Type).ToListAsync(cancellationToken);
        var activity = await db.Set<ActivityEntry>().AsNoTracking().Where(a => a.ActorUserId == userId || a.TargetId == userId).OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.Action, a.TargetType, a.TargetId, a.TargetName, a.Details, a.CreatedAt }).ToListAsync(cancellationToken);
        return new { notifications, mutedTypes = mutes, activity };
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var touched = 0;
        if (subject.UserId is { } userId)
        {
            touched += await db.Notifications.Where(n => n.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            touched += await db.Set<NotificationMute>().Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            touched += await db.Set<ActivityEntry>().Where(a => a.ActorUserId == userId && a.ActorName != null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.ActorName, subject.Pseudonym), cancellationToken);
            touched += await db.Set<ActivityEntry>().Where(a => a.TargetId == userId && a.TargetName != null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.TargetName, subject.Pseudonym), cancellationToken);
        }
        // Other people's notifications and the activity feed may name the person in free text.
        foreach (var trace in subject.Traces)
        {
            touched += await db.Notifications.Where(n => n.Title.Contains(trace) || (n.Body != null && n.Body.Contains(trace)))
                .ExecuteUpdateAsync(n => n.SetProperty(x => x.Title, x => x.Title.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.Body, x => x.Body!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<ActivityEntry>().Where(a => (a.TargetName != null && a.TargetName.Contains(trace)) || (a.Details != null && a.Details.Contains(trace))
                    || (a.ActorName != null && a.ActorName.Contains(trace)))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.TargetName, x => x.TargetName!.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.Details, x => x.Details!.Replace(trace, subject.Pseudonym))
                    .SetProperty(x => x.ActorName, x => x.ActorName!.Replace(trace, subject.Pseudonym)), cancellationToken);
            touched += await db.Set<RealtimeEvent>().Where(e => e.Payload.Contains(trace))
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Payload, x => x.Payload.Replace(trace, subject.Pseudonym)), cancellationToken);
        }
        return touched;
    }
}
