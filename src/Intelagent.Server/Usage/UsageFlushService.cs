using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>
/// Writes the in-memory counts every <c>Usage:FlushSeconds</c> (5 by default; 0 leaves it to the
/// caller, as tests do) and at graceful shutdown. One transaction per flush adds each minute's counts
/// to its minute, hour and day rows; a failed flush puts the counts back for the next one, so every
/// call is written exactly once. An abrupt kill loses at most one interval.
/// </summary>
public sealed class UsageFlushService(IUsageCounters counters, IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration,
    ILogger<UsageFlushService> logger) : BackgroundService
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(configuration.GetValue("Usage:FlushSeconds", 5.0));
        if (interval <= TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                await FlushAsync(CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Flushing usage counts failed; they stay in memory for the next round");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The final flush only writes: warnings wait for the next node to flush this organization.
        try { await FlushAsync(evaluate: false, cancellationToken); }
        catch (Exception exception) when (exception is not OperationCanceledException) { logger.LogError(exception, "Final usage flush failed: counts of the last interval are lost"); }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => FlushAsync(evaluate: true, cancellationToken);

    private async Task FlushAsync(bool evaluate, CancellationToken cancellationToken)
    {
        IReadOnlyList<MinuteCounts> batch;
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            batch = counters.Drain();
            if (batch.Count == 0) return;
            try
            {
                await WriteAsync(batch, cancellationToken);
            }
            catch
            {
                counters.Restore(batch);
                throw;
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
        if (evaluate) await EvaluateThresholdsAsync(batch.Select(c => c.OrganizationId).Distinct(), cancellationToken);
    }

    /// <summary>
    /// Warnings and alerts for the organizations this flush touched (every call, invitation and
    /// usage report is itself a metered call, so each change of a level is seen here), off the hot path.
    /// </summary>
    private async Task EvaluateThresholdsAsync(IEnumerable<string> organizationIds, CancellationToken cancellationToken)
    {
        foreach (var organizationId in organizationIds)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
                await scope.ServiceProvider.GetRequiredService<UsageThresholds>().EvaluateAsync(organizationId, cancellationToken);
                await scope.ServiceProvider.GetRequiredService<UsageOverages>().RecordAsync(organizationId, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The counts are written; the next flush of this organization checks again.
                logger.LogWarning(exception, "Checking usage thresholds of {OrganizationId} failed", organizationId);
            }
        }
    }

    private async Task WriteAsync(IReadOnlyList<MinuteCounts> batch, CancellationToken cancellationToken)
    {
        var totals = new Dictionary<(string, string, UsageGranularity, DateTimeOffset), long>();
        foreach (var counts in batch)
        {
            foreach (var (metric, value) in new[] { (UsageMetric.ApiCalls, counts.Calls), (UsageMetric.RefusedCalls, counts.Refused), (UsageMetric.BandwidthBytes, counts.BandwidthBytes) })
            {
                if (value == 0) continue;
                foreach (var granularity in Enum.GetValues<UsageGranularity>())
                {
                    var key = (counts.OrganizationId, metric, granularity, PeriodStart(counts.Minute, granularity));
                    totals[key] = totals.GetValueOrDefault(key) + value;
                }
            }
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var ((organizationId, metric, granularity, start), value) in totals)
        {
            var updated = await db.Set<UsageRollup>().IgnoreQueryFilters()
                .Where(r => r.OrganizationId == organizationId && r.Metric == metric && r.Granularity == granularity && r.PeriodStart == start)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Value, r => r.Value + value), cancellationToken);
            if (updated == 0)
                db.Set<UsageRollup>().Add(new UsageRollup { OrganizationId = organizationId, Metric = metric, Granularity = granularity, PeriodStart = start, Value = value });
        }
        // A row another node inserted meanwhile fails the unique key: the whole flush rolls back
        // (disposing the transaction) and the counts go with the next one.
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public static DateTimeOffset PeriodStart(DateTimeOffset minute, UsageGranularity granularity) => granularity switch
    {
        UsageGranularity.Hour => new(minute.UtcTicks - minute.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero),
        UsageGranularity.Day => InMemoryUsageLimiter.StartOfDay(minute),
        _ => minute,
    };
}
