using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Organizations;

/// <summary>Deletes organizations whose grace period has ended; their rows go with them (cascades).</summary>
public sealed class OrganizationDeletion(AppDb db, ILogger<OrganizationDeletion> logger)
{
    public async Task<int> PurgeDueAcrossTenantsAsync(CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var due = await db.Organizations.IgnoreQueryFilters().Where(o => o.DeletionScheduledFor != null && o.DeletionScheduledFor <= now).ToListAsync(cancellationToken);
        foreach (var organization in due)
        {
            db.Organizations.Remove(organization);
            logger.LogInformation("Deleting organization {OrganizationId} (grace period ended)", organization.Id);
        }
        if (due.Count > 0) await db.SaveChangesAsync(cancellationToken);
        return due.Count;
    }
}

[DisallowConcurrentExecution]
public sealed class OrganizationDeletionJob(OrganizationDeletion deletion, ClusterJobGuard guard) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (await guard.TryClaimAsync("organization-deletion", TimeSpan.FromMinutes(15), cancellationToken))
            await deletion.PurgeDueAcrossTenantsAsync(cancellationToken);
    }
}
