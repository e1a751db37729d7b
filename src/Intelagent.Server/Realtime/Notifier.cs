using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime;

/// <summary>Writes notifications for any module (the real-time issue pushes them live).</summary>
public sealed class Notifier(AppDb db)
{
    public void Notify(string organizationId, string userId, string type, string title, string? body = null, string? link = null) =>
        db.Notifications.Add(new Notification
        {
            Id = Id.New(IdPrefix.Notification, db.Clock),
            OrganizationId = organizationId,
            UserId = userId,
            Type = type,
            Title = title,
            Body = body,
            Link = link,
            CreatedAt = db.Clock.GetUtcNow(),
        });

    public async Task NotifyRolesAsync(string organizationId, Role atLeast, string type, string title, string? body, string? exceptUserId, CancellationToken cancellationToken)
    {
        // Roles are stored as text, so "at least" must be a list: comparing the text would rank them alphabetically.
        var roles = Enum.GetValues<Role>().Where(r => r >= atLeast).ToList();
        var recipients = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.OrganizationId == organizationId && roles.Contains(m.Role) && m.UserId != exceptUserId)
            .Select(m => m.UserId).ToListAsync(cancellationToken);
        foreach (var userId in recipients) Notify(organizationId, userId, type, title, body);
    }

    public Task SaveAsync(CancellationToken cancellationToken) => db.SaveChangesAsync(cancellationToken);
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
