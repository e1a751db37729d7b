using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Identity;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Insights.Analytics;

/// <summary>
/// Spikes and drops of daily API calls (see <see cref="UsageAnomalyAnalysis"/>): per organization,
/// and for operators across the platform.
/// </summary>
public sealed class UsageAnomalyDetector(IOptions<InsightOptions> options) : IInsightDetector
{
    public string Key => "usage.anomaly";

    public bool RunsFor(InsightScope scope) => true;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(scope.Now.UtcDateTime);
        var from = new DateTimeOffset(today.AddDays(-UsageAnomalyAnalysis.RecentDays - 7 * UsageAnomalyAnalysis.HistoryWeeks).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rollups = db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day && r.PeriodStart >= from);
        if (!scope.IsPlatform) rollups = rollups.Where(r => r.OrganizationId == scope.OrganizationId);
        var rows = await rollups.Select(r => new { r.PeriodStart, r.Value }).ToListAsync(cancellationToken);
        // The first day with usage at all, so an organization that just started is not read as zero before it.
        var first = await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day && (scope.IsPlatform || r.OrganizationId == scope.OrganizationId))
            .OrderBy(r => r.PeriodStart).Select(r => (DateTimeOffset?)r.PeriodStart).FirstOrDefaultAsync(cancellationToken);
        if (first is null) return [];
        var series = rows.GroupBy(r => DateOnly.FromDateTime(r.PeriodStart.UtcDateTime)).Select(g => new DailyValue(g.Key, g.Sum(r => (double)r.Value))).ToList();
        var anomaly = UsageAnomalyAnalysis.Detect(series, DateOnly.FromDateTime(first.Value.UtcDateTime), today, options.Value.FamilyAlpha);
        if (anomaly is null) return [];

        var kind = anomaly.IsSpike ? "spike" : "drop";
        var change = anomaly.Expected > 0 ? anomaly.Value / anomaly.Expected - 1 : 0;
        var date = anomaly.Day.ToString("dddd d MMMM", CultureInfo.InvariantCulture);
        var who = scope.IsPlatform ? "Platform-wide API calls" : "API calls";
        return
        [
            new InsightCandidate(InsightTypes.UsageAnomaly,
                $"{who} {(anomaly.IsSpike ? "spiked" : "dropped")} {Math.Abs(change) * 100:0}% on {date}",
                $"{anomaly.Value:N0} calls against {anomaly.Expected:N0} expected for a {anomaly.Day.DayOfWeek} (the median of the previous {UsageAnomalyAnalysis.HistoryWeeks} weeks of that weekday); "
                + $"robust score {anomaly.Z:F1} on the log scale, p = {anomaly.AdjustedP:G2} after correcting for the {UsageAnomalyAnalysis.RecentDays} days examined.",
                1 - anomaly.AdjustedP, Math.Abs(change) >= 1 ? InsightImpacts.High : Math.Abs(change) >= 0.3 ? InsightImpacts.Medium : InsightImpacts.Low,
                anomaly.IsSpike ? "Check which integration or key drove the extra calls, and whether the daily quota will hold." : "Check for a failing integration or a customer who stopped using the product.",
                new JsonObject
                {
                    ["metric"] = UsageMetric.ApiCalls, ["day"] = anomaly.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["value"] = anomaly.Value,
                    ["expected"] = anomaly.Expected, ["z"] = Math.Round(anomaly.Z, 3), ["adjustedP"] = anomaly.AdjustedP, ["kind"] = kind,
                },
                $"usage.anomaly:{UsageMetric.ApiCalls}:{anomaly.Day:yyyy-MM-dd}:{kind}", UsageAtStake: Math.Abs(anomaly.Value - anomaly.Expected)),
        ];
    }
}

/// <summary>
/// Idle seats: members of at least 30 days who have not signed in (nor used a session) for 30 days.
/// The confidence that a seat stays idle is Laplace's rule of succession over the idle weeks
/// observed: (k + 1) / (k + 2) for k weeks, averaged over the idle members.
/// </summary>
public sealed class IdleSeatsDetector : IInsightDetector
{
    public const int IdleDays = 30;

    public string Key => "optimization.idle_seats";

    public bool RunsFor(InsightScope scope) => !scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var cutoff = scope.Now.AddDays(-IdleDays);
        var members = await db.Memberships.IgnoreQueryFilters().AsNoTracking().Where(m => m.OrganizationId == scope.OrganizationId)
            .Select(m => new { m.UserId, m.CreatedAt }).ToListAsync(cancellationToken);
        if (members.Count < 2) return [];
        var userIds = members.Select(m => m.UserId).ToList();
        var lastActivity = await db.Sessions.AsNoTracking().Where(s => userIds.Contains(s.UserId))
            .GroupBy(s => s.UserId).Select(g => new { UserId = g.Key, Last = g.Max(s => s.LastActivityAt ?? s.CreatedAt) }).ToListAsync(cancellationToken);
        var last = lastActivity.ToDictionary(a => a.UserId, a => a.Last);
        var idle = members.Where(m => m.CreatedAt < cutoff && (!last.TryGetValue(m.UserId, out var at) || at < cutoff))
            .Select(m => (scope.Now - (last.TryGetValue(m.UserId, out var at) && at > m.CreatedAt ? at : m.CreatedAt)).TotalDays).ToList();
        if (idle.Count == 0) return [];
        var confidence = idle.Average(days => (Math.Floor(days / 7) + 1) / (Math.Floor(days / 7) + 2));
        var share = (double)idle.Count / members.Count;
        return
        [
            new InsightCandidate(InsightTypes.Optimization,
                $"{idle.Count} of {members.Count} seats have been idle for {IdleDays}+ days",
                $"{idle.Count} members have not signed in for at least {IdleDays} days (the longest for {idle.Max():F0} days).",
                confidence, share >= 0.3 ? InsightImpacts.High : share >= 0.1 ? InsightImpacts.Medium : InsightImpacts.Low,
                "Remove or reassign the idle seats, or re-engage those members.",
                new JsonObject { ["idleSeats"] = idle.Count, ["seats"] = members.Count, ["idleShare"] = Math.Round(share, 4), ["idleDays"] = IdleDays },
                "optimization.idle_seats", UsageAtStake: idle.Count),
        ];
    }
}
