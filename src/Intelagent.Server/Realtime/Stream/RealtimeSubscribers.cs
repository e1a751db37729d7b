using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Jobs;
using Quartz;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>Membership, role and team changes move the affected users' live connections between groups on every node.</summary>
internal sealed class RealtimeAccessChanges(RealtimeAccessBus bus) :
    IDomainEventHandler<MemberJoined>, IDomainEventHandler<MemberRoleChanged>, IDomainEventHandler<MemberRemoved>, IDomainEventHandler<TeamChanged>
{
    public Task HandleAsync(MemberJoined e, EventEnvelope envelope, CancellationToken cancellationToken) => bus.PublishAsync(e.UserId, e.OrganizationId, cancellationToken);

    public Task HandleAsync(MemberRoleChanged e, EventEnvelope envelope, CancellationToken cancellationToken) => bus.PublishAsync(e.UserId, e.OrganizationId, cancellationToken);

    public Task HandleAsync(MemberRemoved e, EventEnvelope envelope, CancellationToken cancellationToken) => bus.PublishAsync(e.UserId, e.OrganizationId, cancellationToken);

    // The event does not say whose team membership changed: regroup the organization's connections.
    public Task HandleAsync(TeamChanged e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        e.Change is "member_added" or "member_removed" or "deleted" ? bus.PublishAsync(null, e.OrganizationId, cancellationToken) : Task.CompletedTask;
}

/// <summary>Keeps the replay window bounded: deletes events older than it, once per minute across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class RealtimeEventPurgeJob(RealtimeReplay replay, ClusterJobGuard guard) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("realtime-purge", TimeSpan.FromMinutes(1), cancellationToken)) return;
        await replay.PurgeAcrossTenantsAsync(cancellationToken);
    }
}
