using Quartz;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// Counts every scheduled execution by job and outcome. "skipped" is counted by the cluster job guard
/// (it alone knows another node claimed the window); this listener counts the rest as ran or failed,
/// and logs a failure with the job's name, which Quartz itself only reports at its own log level.
/// </summary>
public sealed class JobRunListener(ILogger<JobRunListener> logger) : IJobListener
{
    public string Name => "intelagent-telemetry";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        PlatformMetrics.JobStarting(context.JobDetail.Key.Name);
        return ValueTask.CompletedTask;
    }

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var job = context.JobDetail.Key.Name;
        PlatformMetrics.JobFinished(job, failed: jobException is not null);
        if (jobException is not null) logger.LogError(jobException, "Job {Job} failed after {Elapsed} ms", job, (long)context.JobRunTime.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }
}
