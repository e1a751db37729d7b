using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Security.Retention;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Security.Score;

/// <summary>
/// Once a day across the cluster: verifies every organization's audit chain (the score's
/// monitoring check reads the result) and keeps a snapshot of its score.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DailySecurityScoreJob(AppDb db, ClusterJobGuard guard, IServiceScopeFactory scopes) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("security-score-daily", TimeSpan.FromDays(1), cancellationToken)) return;
        await RunAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var organizations = await db.Organizations.IgnoreQueryFilters().Where(o => o.DeletionScheduledFor == null)
            .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        foreach (var organizationId in organizations) await RunForAsync(organizationId, cancellationToken);
    }

    /// <summary>One organization in a scope of its own, so a failure or a large chain does not hold the others.</summary>
    public async Task RunForAsync(string organizationId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Platform.Tenancy.RequestContext>().SetTenant(organizationId, null);
        var scopedDb = scope.ServiceProvider.GetRequiredService<AppDb>();
        var verification = await scope.ServiceProvider.GetRequiredService<AuditChainVerifier>().VerifyAsync(organizationId, cancellationToken);
        var state = await scopedDb.Set<ChainVerificationState>().FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken);
        if (state is null) scopedDb.Set<ChainVerificationState>().Add(state = new ChainVerificationState { OrganizationId = organizationId });
        state.Verified = verification.Verified;
        state.Reason = verification.Reason is { Length: > 400 } reason ? reason[..400] : verification.Reason;
        state.EntriesChecked = verification.EntriesChecked;
        state.VerifiedAt = scopedDb.Clock.GetUtcNow();
        await scopedDb.SaveChangesAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<SecurityScoreService>().SnapshotAsync(organizationId, SnapshotReasons.Daily, null, cancellationToken);
        await scopedDb.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>A snapshot whenever what the score reads is changed on purpose (settings, retention).</summary>
internal sealed class ScoreSnapshotOnChange(AppDb db, SecurityScoreService score)
    : IDomainEventHandler<SecuritySettingsChanged>, IDomainEventHandler<RetentionPoliciesChanged>
{
    public Task HandleAsync(SecuritySettingsChanged e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        SnapshotAsync(e.OrganizationId, SnapshotReasons.SettingsChanged, envelope.Id, cancellationToken);

    public Task HandleAsync(RetentionPoliciesChanged e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        SnapshotAsync(e.OrganizationId, SnapshotReasons.RetentionChanged, envelope.Id, cancellationToken);

    private async Task SnapshotAsync(string organizationId, string reason, string eventId, CancellationToken cancellationToken)
    {
        if (await db.Set<SecurityScoreSnapshot>().IgnoreQueryFilters().AnyAsync(s => s.SourceEventId == eventId, cancellationToken)) return;
        if (!await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == organizationId, cancellationToken)) return;
        await score.SnapshotAsync(organizationId, reason, eventId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
