using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Platform.Jobs;

/// <summary>
/// Makes a scheduled job run once per time window across all nodes: the first node to insert the
/// (job, window) row runs it; the others see the unique key and skip. Works the same on SQLite and
/// PostgreSQL, and leaves a record of which node ran what.
/// </summary>
public sealed class ClusterJobGuard(AppDb db, TimeProvider clock)
{
    public static readonly string Node = $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<bool> TryClaimAsync(string jobName, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var bucket = now.UtcTicks / window.Ticks;
        db.JobRuns.Add(new JobRun { JobName = jobName, Window = bucket.ToString(System.Globalization.CultureInfo.InvariantCulture), Node = Node, ClaimedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            db.ChangeTracker.Clear();
            Telemetry.PlatformMetrics.JobSkipped(jobName);
            return false;
        }
    }
}

/// <summary>Removes dispatched outbox rows and old job claims.</summary>
[DisallowConcurrentExecution]
public sealed class HousekeepingJob(AppDb db, ClusterJobGuard guard, TimeProvider clock) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("housekeeping", TimeSpan.FromHours(1), cancellationToken)) return;
        var cutoff = clock.GetUtcNow().AddDays(-7);
        await db.OutboxMessages.Where(m => m.ProcessedAt != null && m.ProcessedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        await db.JobRuns.Where(r => r.ClaimedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        var expired = clock.GetUtcNow() - Http.IdempotencyMiddleware.Lifetime;
        await db.Set<Http.IdempotencyRecord>().Where(r => r.CreatedAt < expired).ExecuteDeleteAsync(cancellationToken);
    }
}

public static class JobsSetup
{
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ClusterJobGuard>();
        if (!configuration.GetValue("Jobs:Enabled", true)) return services;
        services.AddQuartz(quartz =>
        {
            quartz.AddJobListener<Telemetry.JobRunListener>();
            Schedule<OrganizationDeletionJob>(quartz, "organization-deletion", TimeSpan.FromMinutes(15));
            Schedule<HousekeepingJob>(quartz, "housekeeping", TimeSpan.FromHours(1));
            Schedule<Realtime.Stream.RealtimeEventPurgeJob>(quartz, "realtime-purge", TimeSpan.FromMinutes(1));
            Schedule<Usage.UsageCleanupJob>(quartz, "usage-cleanup", TimeSpan.FromHours(1));
            Schedule<Billing.Invoicing.BillingRunJob>(quartz, "billing-run", Billing.Invoicing.BillingRunJob.Interval);
            Schedule<Billing.Payments.DunningJob>(quartz, "payment-dunning", TimeSpan.FromHours(1));
            Schedule<Billing.Payments.PaymentSweepJob>(quartz, "payment-sweep", Billing.Payments.PaymentSweepJob.Interval);
            Schedule<Security.Score.DailySecurityScoreJob>(quartz, "security-score-daily", TimeSpan.FromHours(1));
            Schedule<Security.Retention.RetentionEnforcementJob>(quartz, "retention-enforcement", TimeSpan.FromHours(1));
            Schedule<Security.Compliance.MonthlyComplianceReportJob>(quartz, "compliance-report-monthly", TimeSpan.FromHours(1));
            Schedule<Billing.Metrics.FinancialReportJob>(quartz, "financial-report", TimeSpan.FromHours(6));
            // Not at once: a fresh demo start runs the detectors itself right after seeding its events.
            Schedule<Insights.Store.InsightJob>(quartz, "insights-run", Insights.Store.InsightJob.Interval, startAfter: TimeSpan.FromMinutes(5));
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return services;
    }

    private static void Schedule<TJob>(IQuartzBuilder quartz, string name, TimeSpan interval, TimeSpan? startAfter = null) where TJob : IJob
    {
        var key = new JobKey(name);
        quartz.AddJob<TJob>(job => job.WithIdentity(key));
        quartz.AddTrigger(trigger =>
        {
            trigger.ForJob(key).WithIdentity(name + "-trigger").WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever());
            if (startAfter is { } delay) trigger.StartAt(TimeProvider.System.GetUtcNow() + delay); // Quartz fires on the system clock; the jobs themselves read the TimeProvider.
            else trigger.StartNow();
        });
    }
}
