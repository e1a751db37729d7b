using System.Globalization;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>What a <c>usage:warning</c> event carries.</summary>
public sealed record UsageWarningPayload(string Metric, int Threshold, long Used, long Limit, decimal Percent, string Period);

/// <summary>
/// Graceful degradation, off the hot path: after each flush, the organizations it touched are held
/// against 80% and 100% of each quota and against their members' own alerts. Each threshold is
/// delivered once per period; the <see cref="UsageNotice"/> row is written in the same transaction
/// as the notifications and the <c>usage:warning</c> event, so a restart or a second node never
/// repeats one (its insert fails the unique key and the whole delivery rolls back).
/// </summary>
public sealed class UsageThresholds(AppDb db, UsageService usage, Notifier notifier, RealtimePublisher publisher, ILogger<UsageThresholds> logger)
{
    public static readonly int[] WarningPercents = [80, 100];

    private sealed record Candidate(string Key, string Period, string Metric, long Used, long? Limit, int? Percent, UsageAlert? Alert);

    /// <summary>Checks one organization; the scope's request context must be set to it.</summary>
    public async Task EvaluateAsync(string organizationId, CancellationToken cancellationToken)
    {
        if ((await usage.CurrentAsync(organizationId, cancellationToken, withForecasts: false)).Value is not { } current) return;
        var now = db.Clock.GetUtcNow();
        var meters = new Dictionary<string, UsageMeter>
        {
            [QuotaMetric.ApiCalls] = current.ApiCallsToday,
            [QuotaMetric.BandwidthBytes] = current.BandwidthBytesThisMonth,
            [QuotaMetric.StorageBytes] = current.StorageBytes,
            [QuotaMetric.Seats] = current.Seats,
            [QuotaMetric.Projects] = current.Projects,
        };
        var candidates = new List<Candidate>();
        foreach (var (metric, meter) in meters)
        {
            if (meter.Limit is not > 0) continue;
            foreach (var percent in WarningPercents.Where(p => meter.Used * 100 >= p * meter.Limit.Value))
                candidates.Add(new Candidate($"warning:{metric}:{percent}", QuotaMetric.PeriodOf(metric, now), metric, meter.Used, meter.Limit, percent, null));
        }
        foreach (var alert in await db.Set<UsageAlert>().AsNoTracking().ToListAsync(cancellationToken))
        {
            if (!meters.TryGetValue(alert.Metric, out var meter) || !UsageAlerts.Reached(alert, meter)) continue;
            candidates.Add(new Candidate("alert:" + alert.Id, QuotaMetric.PeriodOf(alert.Metric, now), alert.Metric, meter.Used, meter.Limit, null, alert));
        }
        if (candidates.Count == 0) return;

        var keys = candidates.Select(c => c.Key).ToList();
        var periods = candidates.Select(c => c.Period).Distinct().ToList();
        var sent = (await db.Set<UsageNotice>().AsNoTracking().Where(n => keys.Contains(n.Key) && periods.Contains(n.Period))
            .Select(n => new { n.Key, n.Period }).ToListAsync(cancellationToken)).Select(n => (n.Key, n.Period)).ToHashSet();
        var fresh = candidates.Where(c => !sent.Contains((c.Key, c.Period))).ToList();
        if (fresh.Count == 0) return;

        foreach (var candidate in fresh)
            db.Set<UsageNotice>().Add(new UsageNotice { OrganizationId = organizationId, Key = candidate.Key, Period = candidate.Period, Used = candidate.Used, SentAt = now });
        // A quota that jumps past both thresholds in one interval warns once, at the higher one.
        var warnings = fresh.Where(c => c.Percent is not null).GroupBy(c => c.Metric).Select(g => g.MaxBy(c => c.Percent)!);
        foreach (var warning in warnings) await WarnAsync(organizationId, warning, cancellationToken);
        foreach (var alert in fresh.Where(c => c.Alert is not null)) await AlertAsync(organizationId, alert, cancellationToken);
        try
        {
            await publisher.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            logger.LogDebug("Usage notices for {OrganizationId} were sent by another node meanwhile", organizationId);
        }
    }

    private async Task WarnAsync(string organizationId, Candidate warning, CancellationToken cancellationToken)
    {
        var (limit, percent) = (warning.Limit!.Value, warning.Percent!.Value);
        var what = QuotaMetric.Describe(warning.Metric);
        var title = percent >= 100 ? $"Usage limit reached: {what}" : $"{percent}% of the usage limit used: {what}";
        var body = $"The organization uses {Amount(warning.Metric, warning.Used)} of its {Amount(warning.Metric, limit)} {what}. "
            + (percent >= 100 ? "Further use may be refused until the period resets. " : "")
            + "Upgrade the plan or ask an operator for a custom limit to raise it.";
        await notifier.NotifyRolesAsync(organizationId, Role.Admin, "usage.warning", title, body, exceptUserId: null, cancellationToken);
        var share = Math.Round((decimal)warning.Used / limit * 100, 2);
        publisher.Stage(RealtimeDraft.ForOrganization(organizationId, RealtimeEventTypes.UsageWarning, Permissions.UsageRead,
            new UsageWarningPayload(warning.Metric, percent, warning.Used, limit, share, warning.Period)));
        db.Raise(new UsageThresholdReached(organizationId, warning.Metric, percent, warning.Used, limit, warning.Period));
    }

    private async Task AlertAsync(string organizationId, Candidate candidate, CancellationToken cancellationToken)
    {
        var alert = candidate.Alert!;
        var threshold = alert.Kind == UsageAlerts.Percent ? $"{alert.Threshold.ToString("0.##", CultureInfo.InvariantCulture)}% of the limit"
            : Amount(alert.Metric, (long)alert.Threshold);
        await notifier.NotifyAsync(organizationId, alert.CreatedByUserId, "usage.alert", $"Usage alert: {QuotaMetric.Describe(alert.Metric)} reached {threshold}",
            $"The organization uses {Amount(alert.Metric, candidate.Used)}"
            + (candidate.Limit is { } limit ? $" of its {Amount(alert.Metric, limit)}." : " (no limit)."), "/api/usage", cancellationToken);
    }

    private static string Amount(string metric, long value) => metric is QuotaMetric.BandwidthBytes or QuotaMetric.StorageBytes
        ? $"{(value / 1e9).ToString("0.###", CultureInfo.InvariantCulture)} GB"
        : value.ToString("N0", CultureInfo.InvariantCulture);
}
