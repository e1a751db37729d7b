using System.Globalization;
using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Security.Compliance;

/// <summary>
/// Keeps one compliance report per organization and calendar month (UTC). Runs daily: an
/// organization that already has this month's report is skipped, and the unique (organization,
/// period) index makes a race between nodes harmless.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MonthlyComplianceReportJob(AppDb db, ClusterJobGuard guard, IServiceScopeFactory scopes) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("compliance-report-monthly", TimeSpan.FromDays(1), cancellationToken)) return;
        await RunAsync(cancellationToken);
    }

    public static string PeriodOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var period = PeriodOf(db.Clock.GetUtcNow());
        var due = await db.Organizations.IgnoreQueryFilters()
            .Where(o => o.DeletionScheduledFor == null && !db.Set<ComplianceReport>().IgnoreQueryFilters().Any(r => r.OrganizationId == o.Id && r.Period == period))
            .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        foreach (var organizationId in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
            var scopedDb = scope.ServiceProvider.GetRequiredService<AppDb>();
            var report = await scope.ServiceProvider.GetRequiredService<ComplianceService>().EvaluateAsync(organizationId, cancellationToken);
            scopedDb.Set<ComplianceReport>().Add(new ComplianceReport
            {
                Id = Id.New(IdPrefix.ComplianceReport, scopedDb.Clock),
                OrganizationId = organizationId,
                Period = period,
                Content = JsonSerializer.Serialize(report, ComplianceService.Json),
                GeneratedAt = report.GeneratedAt,
            });
            scopedDb.Audit("compliance.report_generated", "compliance_report", null, new { period });
            try
            {
                await scopedDb.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
            {
                // Another node kept this month's report first.
            }
        }
        return due.Count;
    }
}
