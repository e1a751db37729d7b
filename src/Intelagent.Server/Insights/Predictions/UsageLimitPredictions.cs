using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>When usage limits will be reached, from the usage module's own forecaster (a least-squares line through the last 14 complete days).</summary>
public sealed class UsageLimitPredictions(AppDb db, UsageService usage, UsageLimitsProvider limitsProvider)
{
    /// <summary>At most this many organizations in the operator's list, soonest first.</summary>
    public const int MaxOrganizations = 100;

    public async Task<Result<IReadOnlyList<UsageLimitPrediction>>> ForOrganizationAsync(string organizationId, CancellationToken cancellationToken)
    {
        var current = await usage.CurrentAsync(organizationId, cancellationToken);
        if (!current.IsSuccess) return current.Error!;
        var u = current.Value!;
        return new List<UsageLimitPrediction>
        {
            new(organizationId, UsageMetric.ApiCalls, u.ApiCallsToday.Used, u.ApiCallsToday.Limit, u.ApiCallsToday.ForecastDate, u.ApiCallsToday.Forecast),
            new(organizationId, UsageMetric.BandwidthBytes, u.BandwidthBytesThisMonth.Used, u.BandwidthBytesThisMonth.Limit, u.BandwidthBytesThisMonth.ForecastDate, u.BandwidthBytesThisMonth.Forecast),
        };
    }

    /// <summary>Every organization whose daily API calls are on course to reach the daily quota within the forecaster's horizon.</summary>
    public async Task<IReadOnlyList<UsageLimitPrediction>> AcrossTenantsAsync(CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var day = InMemoryUsageLimiter.StartOfDay(now);
        var start = day.AddDays(-UsageForecaster.WindowDays);
        var rows = await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day && r.PeriodStart >= start)
            .Select(r => new { r.OrganizationId, r.PeriodStart, r.Value }).ToListAsync(cancellationToken);
        var today = DateOnly.FromDateTime(day.UtcDateTime);
        var predictions = new List<UsageLimitPrediction>();
        foreach (var organization in rows.GroupBy(r => r.OrganizationId, StringComparer.Ordinal))
        {
            if (await limitsProvider.ForAsync(organization.Key, cancellationToken) is not { } effective) continue;
            var daily = Enumerable.Range(0, UsageForecaster.WindowDays)
                .Select(i => organization.Where(r => r.PeriodStart == start.AddDays(i)).Sum(r => r.Value)).ToList();
            var usedToday = organization.Where(r => r.PeriodStart == day).Sum(r => r.Value);
            if (UsageForecaster.DailyQuota("API usage", daily, usedToday, effective.Limits.ApiCallsPerDay, today) is { } forecast)
                predictions.Add(new UsageLimitPrediction(organization.Key, UsageMetric.ApiCalls, usedToday, effective.Limits.ApiCallsPerDay, forecast.Date, forecast.Statement));
        }
        return predictions.OrderBy(p => p.ForecastDate).ThenBy(p => p.OrganizationId, StringComparer.Ordinal).Take(MaxOrganizations).ToList();
    }
}
