using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime;

/// <summary>
/// Writes notifications for any module. Each one also raises <see cref="NotificationCreated"/>, so it
/// reaches its user live (<c>notification:new</c>) once the caller's transaction commits, however the
/// caller saves. Types the user muted in that organization are dropped here: neither stored nor pushed.
/// </summary>
public sealed class Notifier(AppDb db)
{
    /// <summary>
    /// Synchronous for the callers that already use it; the mute check is one indexed key lookup.
    /// Prefer <see cref="NotifyAsync"/>.
    /// </summary>
    public void Notify(string organizationId, string userId, string type, string title, string? body = null, string? link = null)
    {
        if (!Mutes(organizationId, type).Any(m => m.UserId == userId)) Add(organizationId, userId, type, title, body, link);
    }

    public async Task NotifyAsync(string organizationId, string userId, string type, string title, string? body = null, string? link = null, CancellationToken cancellationToken = default)
    {
        if (!await Mutes(organizationId, type).AnyAsync(m => m.UserId == userId, cancellationToken)) Add(organizationId, userId, type, title, body, link);
    }

    public async Task NotifyRolesAsync(string organizationId, Role atLeast, string type, string title, string? body, string? exceptUserId, CancellationToken cancellationToken)
    {
        var muted = await Mutes(organizationId, type).Select(m => m.UserId).ToListAsync(cancellationToken);
        // Roles are stored as text, so "at least" must be a list: comparing the text would rank them alphabetically.
        var roles = Enum.GetValues<Role>().Where(r => r >= atLeast).ToList();
        var recipients = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.OrganizationId == organizationId && roles.Contains(m.Role) && m.UserId != exceptUserId)
            .Select(m => m.UserId).ToListAsync(cancellationToken);
        foreach (var userId in recipients.Except(muted)) Add(organizationId, userId, type, title, body, null);
    }

    public Task SaveAsync(CancellationToken cancellationToken) => db.SaveChangesAsync(cancellationToken);

    private IQueryable<NotificationMute> Mutes(string organizationId, string type) =>
        db.Set<NotificationMute>().IgnoreQueryFilters().AsNoTracking().Where(m => m.OrganizationId == organizationId && m.Type == type);

    private void Add(string organizationId, string userId, string type, string title, string? body, string? link)
    {
        var notification = new Notification
        {
            Id = Id.New(IdPrefix.Notification, db.Clock),
            OrganizationId = organizationId,
            UserId = userId,
            Type = type,
            Title = title,
            Body = body,
            Link = link,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Notifications.Add(notification);
        db.Raise(new NotificationCreated(organizationId, notification.Id, userId, type, title, body, link, notification.CreatedAt));
    }
}

/// <summary>A notification was stored for a user; after commit it goes out live.</summary>
public sealed record NotificationCreated(string OrganizationId, string NotificationId, string UserId, string Type, string Title, string? Body, string? Link, DateTimeOffset CreatedAt) : IDomainEvent;

/// <summary>Pushes each stored notification to its user as <c>notification:new</c>.</summary>
internal sealed class LiveNotifications(RealtimePublisher publisher) : IDomainEventHandler<NotificationCreated>
{
    public async Task HandleAsync(NotificationCreated e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        publisher.Stage(RealtimeDraft.ForUser(e.OrganizationId, e.UserId, RealtimeEventTypes.NotificationNew,
            new NotificationResponse(e.NotificationId, e.Type, e.Title, e.Body, e.Link, e.CreatedAt, null)) with
        { SourceEventId = envelope.Id });
        await publisher.CommitAsync(cancellationToken);
    }
}

/// <summary>Organization events that people should hear about.</summary>
internal sealed class OrganizationNotifications(Notifier notifier, AppDb db) :
    IDomainEventHandler<MemberRoleChanged>, IDomainEventHandler<MemberJoined>, IDomainEventHandler<OrganizationDeletionScheduled>
{
    public async Task HandleAsync(MemberRoleChanged e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        notifier.Notify(e.OrganizationId, e.UserId, "member.role_changed", $"Your role is now {e.NewRole.ToString().ToLowerInvariant()}",
            $"Your role changed from {e.OldRole.ToString().ToLowerInvariant()} to {e.NewRole.ToString().ToLowerInvariant()}.");
        await notifier.SaveAsync(cancellationToken);
    }

    public async Task HandleAsync(MemberJoined e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (e.Role == Role.Owner) return; // the founder of a new organization
        var name = await db.Users.Where(u => u.Id == e.UserId).Select(u => u.Name).FirstOrDefaultAsync(cancellationToken) ?? "Someone";
        await notifier.NotifyRolesAsync(e.OrganizationId, Role.Admin, "member.joined", $"{name} joined as {e.Role.ToString().ToLowerInvariant()}", null, e.UserId, cancellationToken);
        await notifier.SaveAsync(cancellationToken);
    }

    public async Task HandleAsync(OrganizationDeletionScheduled e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await notifier.NotifyRolesAsync(e.OrganizationId, Role.Admin, "organization.deletion_scheduled", "The organization is scheduled for deletion",
            $"All its data will be deleted at {e.ScheduledFor:u} unless the owner cancels.", null, cancellationToken);
        await notifier.SaveAsync(cancellationToken);
    }
}
