using System.Text.Json;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Activity;

/// <summary>
/// Turns the organizations module's events into feed entries, and sends each new entry as
/// <c>activity:new</c> to the members who hold <c>activity.read</c> ("live updates when team members
/// make changes"). Names are read when the event is handled, so the feed says "Support", not an id.
/// </summary>
internal sealed class ActivityFeed(AppDb db, RealtimePublisher publisher) :
    IDomainEventHandler<TeamChanged>, IDomainEventHandler<ProjectChanged>, IDomainEventHandler<MemberJoined>,
    IDomainEventHandler<MemberRoleChanged>, IDomainEventHandler<MemberRemoved>, IDomainEventHandler<OwnershipTransferred>,
    IDomainEventHandler<OrganizationUpdated>, IDomainEventHandler<MemberInvited>,
    IDomainEventHandler<OrganizationDeletionScheduled>, IDomainEventHandler<OrganizationDeletionCancelled>
{
    public async Task HandleAsync(TeamChanged e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var name = await db.Teams.IgnoreQueryFilters().Where(t => t.Id == e.TeamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
        await WriteAsync(envelope, e.OrganizationId, $"team.{e.Change}", "team", e.TeamId, name, null, cancellationToken);
    }

    public async Task HandleAsync(ProjectChanged e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var name = await db.Projects.IgnoreQueryFilters().Where(p => p.Id == e.ProjectId).Select(p => p.Name).FirstOrDefaultAsync(cancellationToken);
        await WriteAsync(envelope, e.OrganizationId, $"project.{e.Change}", "project", e.ProjectId, name, new { teamId = e.TeamId }, cancellationToken);
    }

    public async Task HandleAsync(MemberJoined e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (e.Role == Role.Owner) return; // the founder: the organization was created, nobody joined it
        await WriteAsync(envelope, e.OrganizationId, "member.joined", "user", e.UserId, await UserNameAsync(e.UserId, cancellationToken), new { role = Lower(e.Role) }, cancellationToken);
    }

    public async Task HandleAsync(MemberRoleChanged e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, "member.role_changed", "user", e.UserId, await UserNameAsync(e.UserId, cancellationToken),
            new { oldRole = Lower(e.OldRole), newRole = Lower(e.NewRole) }, cancellationToken);

    public async Task HandleAsync(MemberRemoved e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, e.Left ? "member.left" : "member.removed", "user", e.UserId, await UserNameAsync(e.UserId, cancellationToken), null, cancellationToken);

    public async Task HandleAsync(OwnershipTransferred e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, "organization.ownership_transferred", "user", e.ToUserId, await UserNameAsync(e.ToUserId, cancellationToken),
            new { fromUserId = e.FromUserId }, cancellationToken);

    public async Task HandleAsync(OrganizationUpdated e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, "organization.updated", "organization", e.OrganizationId, await OrganizationNameAsync(e.OrganizationId, cancellationToken),
            new { fields = e.Fields }, cancellationToken);

    public Task HandleAsync(MemberInvited e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        WriteAsync(envelope, e.OrganizationId, "member.invited", "invitation", e.InvitationId, e.Email, new { role = Lower(e.Role) }, cancellationToken);

    public async Task HandleAsync(OrganizationDeletionScheduled e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, "organization.deletion_scheduled", "organization", e.OrganizationId, await OrganizationNameAsync(e.OrganizationId, cancellationToken),
            new { scheduledFor = e.ScheduledFor }, cancellationToken);

    public async Task HandleAsync(OrganizationDeletionCancelled e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        await WriteAsync(envelope, e.OrganizationId, "organization.deletion_cancelled", "organization", e.OrganizationId, await OrganizationNameAsync(e.OrganizationId, cancellationToken), null, cancellationToken);

    private async Task WriteAsync(EventEnvelope envelope, string organizationId, string action, string targetType, string targetId, string? targetName, object? details, CancellationToken cancellationToken)
    {
        var entries = db.Set<ActivityEntry>().IgnoreQueryFilters();
        if (await entries.AnyAsync(a => a.SourceEventId == envelope.Id, cancellationToken)) return; // redelivered
        // A deleted target has no row to name it any more: reuse the name an earlier entry recorded.
        targetName ??= await entries.Where(a => a.OrganizationId == organizationId && a.TargetId == targetId && a.TargetName != null)
            .OrderByDescending(a => a.Id).Select(a => a.TargetName).FirstOrDefaultAsync(cancellationToken);
        var entry = new ActivityEntry
        {
            Id = Id.New(IdPrefix.Activity, db.Clock),
            OrganizationId = organizationId,
            SourceEventId = envelope.Id,
            ActorUserId = envelope.ActorUserId,
            ActorName = envelope.ActorUserId is null ? null : await UserNameAsync(envelope.ActorUserId, cancellationToken),
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            TargetName = targetName,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
            CreatedAt = envelope.OccurredAt,
        };
        db.Set<ActivityEntry>().Add(entry);
        publisher.Stage(RealtimeDraft.ForOrganization(organizationId, RealtimeEventTypes.ActivityNew, Permissions.ActivityRead, ActivityResponse.From(entry)) with { SourceEventId = envelope.Id });
        await publisher.CommitAsync(cancellationToken);
    }

    private Task<string?> UserNameAsync(string userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId).Select(u => u.Name).FirstOrDefaultAsync(cancellationToken);

    private Task<string?> OrganizationNameAsync(string organizationId, CancellationToken cancellationToken) =>
        db.Organizations.IgnoreQueryFilters().Where(o => o.Id == organizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);

    private static string Lower(Role role) => role.ToString().ToLowerInvariant();
}
