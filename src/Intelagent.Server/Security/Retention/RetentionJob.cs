using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Security.Retention;

/// <summary>Enforces every organization's retention policies once a day across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class RetentionEnforcementJob(AppDb db, ClusterJobGuard guard, IServiceScopeFactory scopes, ILogger<RetentionEnforcementJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("retention-enforcement", TimeSpan.FromDays(1), cancellationToken)) return;
        await RunAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var organizations = await db.Set<RetentionPolicy>().IgnoreQueryFilters().Select(p => p.OrganizationId).Distinct().ToListAsync(cancellationToken);
        foreach (var organizationId in organizations.Order())
        {
            // One scope per organization: a purge acts for that tenant only and its failure stops no other.
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
            var purged = await scope.ServiceProvider.GetRequiredService<RetentionService>().EnforceAsync(organizationId, cancellationToken);
            if (purged.Count > 0) logger.LogInformation("Retention removed {Counts} in {OrganizationId}", purged, organizationId);
        }
    }
}
