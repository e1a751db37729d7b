using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Realtime.Stream;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Insights.Store;

/// <summary>
/// Runs the detectors for every active organization, then for the platform, once per
/// <see cref="Interval"/> across the cluster. Each organization gets its own scope acting for it,
/// so a detector's ordinary (tenant-filtered) queries see that organization only.
/// </summary>
[DisallowConcurrentExecution]
public sealed class InsightJob(AppDb db, ClusterJobGuard guard, IServiceScopeFactory scopes, ILogger<InsightJob> logger) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("insights-run", Interval, cancellationToken)) return;
        var organizations = await db.Organizations.IgnoreQueryFilters().Where(o => o.DeletionScheduledFor == null)
            .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        foreach (var organizationId in organizations.Append(null))
        {
            await using var scope = scopes.CreateAsyncScope();
            if (organizationId is not null) scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
            var summary = await scope.ServiceProvider.GetRequiredService<InsightRunner>().RunAsync(organizationId, cancellationToken);
            if (summary.New > 0) logger.LogInformation("{New} new insights for {Scope}", summary.New, organizationId ?? Insight.PlatformScope);
        }
    }
}

/// <summary>
/// <c>insight:new</c> on the hub: to the organization's members who may read insights (stored, so a
/// reconnecting client replays it), or for platform findings straight to the operators' group (the
/// realtime store keeps events per organization, and a platform finding has none).
/// </summary>
internal sealed class InsightPublisher(RealtimePublisher publisher, IHubContext<EventsHub> hub, TimeProvider clock) : IDomainEventHandler<InsightFound>
{
    public const string EventType = "insight:new";

    public async Task HandleAsync(InsightFound e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var payload = new { e.InsightId, e.Type, e.Title, e.Impact, e.Confidence };
        if (e.OrganizationId is { } organizationId)
        {
            publisher.Stage(RealtimeDraft.ForOrganization(organizationId, EventType, Permissions.InsightsRead, payload) with { SourceEventId = envelope.Id });
            await publisher.CommitAsync(cancellationToken);
            return;
        }
        var message = new RealtimeMessage(envelope.Id, EventType, Insight.PlatformScope, clock.GetUtcNow(),
            System.Text.Json.JsonSerializer.SerializeToElement(payload, System.Text.Json.JsonSerializerOptions.Web));
        await hub.Clients.Group(RealtimeGroups.Operators).SendAsync(EventType, message, cancellationToken);
    }
}
