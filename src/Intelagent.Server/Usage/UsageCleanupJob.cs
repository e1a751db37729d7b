using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Usage;

/// <summary>
/// The storage cleanup policy of usage data: minute rows are kept <c>Usage:MinuteRetentionDays</c>
/// (7 by default), hour rows <c>Usage:HourRetentionDays</c> (90); day rows stay (they are the history
/// of quotas and billing). Once per hour across all nodes.
/// </summary>
[DisallowConcurrentExecution]
public sealed class UsageCleanupJob(AppDb db, ClusterJobGuard guard, TimeProvider clock, IConfiguration configuration) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("usage-cleanup", TimeSpan.FromHours(1), cancellationToken)) return;
        await CleanUpAsync(cancellationToken);
    }

    public async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var minuteCutoff = now.AddDays(-configuration.GetValue("Usage:MinuteRetentionDays", 7));
        var hourCutoff = now.AddDays(-configuration.GetValue("Usage:HourRetentionDays", 90));
        await db.Set<UsageRollup>().IgnoreQueryFilters()
            .Where(r => r.Granularity == UsageGranularity.Minute && r.PeriodStart < minuteCutoff).ExecuteDeleteAsync(cancellationToken);
        await db.Set<UsageRollup>().IgnoreQueryFilters()
            .Where(r => r.Granularity == UsageGranularity.Hour && r.PeriodStart < hourCutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
