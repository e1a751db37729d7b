using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>The current organization's usage and limits, and the operator's custom limits.</summary>
public sealed class UsageService(AppDb db, UsageLimitsProvider limitsProvider, IUsageLimiter limiter, IUsageCounters counters, UsageEventService events)
{
    public const int MaxHourlyRangeDays = 31;
    public const int MaxDailyRangeDays = 366;

    public async Task<Result<UsageLimitsResponse>> LimitsAsync(string organizationId, CancellationToken cancellationToken) =>
        await limitsProvider.ForAsync(organizationId, cancellationToken) is { } effective ? Describe(effective) : Error.NotFound("organization");

    public async Task<Result<UsageLimitsResponse>> SetLimitsAsync(string organizationId, SetUsageLimitsRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        foreach (var (field, value) in new[] { ("apiCallsPerDay", request.ApiCallsPerDay), ("storageBytes", request.StorageBytes),
                     ("bandwidthBytesPerMonth", request.BandwidthBytesPerMonth), ("seats", (long?)request.Seats), ("projects", (long?)request.Projects) })
            validation.When(value < UsageLimitOverride.Unlimited, field, "must be -1 (unlimited), 0 or more, or null (the tier's limit).");
        validation.When(request.RatePerMinute is < 1 or > 1_000_000, "ratePerMinute", "must be between 1 and 1,000,000, or null.");
        validation.When(request.Burst is < 1 or > 10_000_000, "burst", "must be between 1 and 10,000,000, or null.");
        if (validation.Failed) return validation.ToError();
        if (!await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == organizationId, cancellationToken)) return Error.NotFound("organization");

        var custom = await db.Set<UsageLimitOverride>().IgnoreQueryFilters().FirstOrDefaultAsync(o => o.OrganizationId == organizationId, cancellationToken);
        if (custom is null) db.Set<UsageLimitOverride>().Add(custom = new UsageLimitOverride { OrganizationId = organizationId });
        (custom.ApiCallsPerDay, custom.StorageBytes, custom.BandwidthBytesPerMonth, custom.Seats, custom.Projects, custom.RatePerMinute, custom.Burst) =
            (request.ApiCallsPerDay, request.StorageBytes, request.BandwidthBytesPerMonth, request.Seats, request.Projects, request.RatePerMinute, request.Burst);
        custom.Overage = request.Overage ?? false;
        custom.UpdatedAt = db.Clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        limitsProvider.Forget(organizationId);
        return await LimitsAsync(organizationId, cancellationToken);
    }

    /// <param name="withForecasts">The threshold check at flush time needs only the levels.</param>
    public async Task<Result<UsageResponse>> CurrentAsync(string organizationId, CancellationToken cancellationToken, bool withForecasts = true)
    {
        if (await limitsProvider.ForAsync(organizationId, cancellationToken) is not { } effective) return Error.NotFound("organization");
        var limits = effective.Limits;
        var now = db.Clock.GetUtcNow();
        var day = InMemoryUsageLimiter.StartOfDay(now);
        var month = new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var historyStart = withForecasts ? day.AddDays(-UsageForecaster.WindowDays) : month;
        var since = historyStart < month ? historyStart : month;
        var rows = await db.Set<UsageRollup>().AsNoTracking()
            .Where(r => r.Granularity == UsageGranularity.Day && r.PeriodStart >= since)
            .Select(r => new { r.Metric, r.PeriodStart, r.Value }).ToListAsync(cancellationToken);
        var pendingToday = counters.Pending(organizationId, day);
        var pendingMonth = counters.Pending(organizationId, month);
        var callsToday = Math.Max(limiter.CallsToday(organizationId, now),
            rows.Where(r => r.Metric == UsageMetric.ApiCalls && r.PeriodStart == day).Sum(r => r.Value) + pendingToday.Calls);
        var refusedToday = rows.Where(r => r.Metric == UsageMetric.RefusedCalls && r.PeriodStart == day).Sum(r => r.Value) + pendingToday.Refused;
        var bandwidth = rows.Where(r => r.Metric == UsageMetric.BandwidthBytes && r.PeriodStart >= month).Sum(r => r.Value) + pendingMonth.BandwidthBytes;
        var seats = await db.Memberships.CountAsync(cancellationToken)
            + await db.Invitations.CountAsync(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken);
        var projects = await db.Projects.CountAsync(cancellationToken);
        var calls = Meter(callsToday, limits.ApiCallsPerDay);
        var bandwidthMeter = Meter(bandwidth, limits.BandwidthBytesPerMonth);
        if (withForecasts)
        {
            var today = DateOnly.FromDateTime(day.UtcDateTime);
            List<long> Daily(string metric) => Enumerable.Range(0, UsageForecaster.WindowDays)
                .Select(i => rows.Where(r => r.Metric == metric && r.PeriodStart == historyStart.AddDays(i)).Sum(r => r.Value)).ToList();
            calls = WithForecast(calls, UsageForecaster.DailyQuota("API usage", Daily(UsageMetric.ApiCalls), callsToday, limits.ApiCallsPerDay, today));
            bandwidthMeter = WithForecast(bandwidthMeter, UsageForecaster.PeriodTotal("Bandwidth", Daily(UsageMetric.BandwidthBytes), bandwidth,
                limits.BandwidthBytesPerMonth, today, DateOnly.FromDateTime(month.AddMonths(1).AddDays(-1).UtcDateTime)));
        }
        return new UsageResponse(day, month, calls, refusedToday, bandwidthMeter,
            Meter(seats, limits.Seats), Meter(projects, limits.Projects), Meter(await events.StorageBytesAsync(cancellationToken), limits.StorageBytes),
            await events.SumSinceAsync(ReportedMetric.ComputeSeconds, month, cancellationToken),
            await events.SumSinceAsync(ReportedMetric.BackgroundJobs, month, cancellationToken));
    }

    public async Task<Result<UsageHistoryResponse>> HistoryAsync(string? granularity, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var unit = granularity?.ToLowerInvariant() switch
        {
            null or "day" => UsageGranularity.Day,
            "hour" => UsageGranularity.Hour,
            _ => (UsageGranularity?)null,
        };
        validation.When(unit is null, "granularity", "must be hour or day.");
        var now = db.Clock.GetUtcNow();
        var end = to ?? now;
        // Stepping back from the first days of year 1 throws (found by the OpenAPI fuzz test); usage starts after 1970.
        validation.When(end < DateTimeOffset.UnixEpoch, "to", "must be after 1970-01-01.");
        if (validation.Failed) return validation.ToError();
        var maxDays = unit == UsageGranularity.Hour ? MaxHourlyRangeDays : MaxDailyRangeDays;
        var start = from ?? end.AddDays(unit == UsageGranularity.Hour ? -1 : -30);
        validation.When(start > end, "from", "must not be after to.");
        validation.When(end - start > TimeSpan.FromDays(maxDays), "to", $"must be at most {maxDays} days after from at this granularity.");
        if (validation.Failed) return validation.ToError();

        var rows = await db.Set<UsageRollup>().AsNoTracking()
            .Where(r => r.Granularity == unit!.Value && r.PeriodStart >= UsageFlushService.PeriodStart(start, unit.Value) && r.PeriodStart <= end)
            .Select(r => new Row(r.Metric, r.PeriodStart, r.Value)).ToListAsync(cancellationToken);
        var items = rows.GroupBy(r => r.PeriodStart).OrderBy(g => g.Key)
            .Select(g => new UsageHistoryPoint(g.Key, Sum(g, UsageMetric.ApiCalls), Sum(g, UsageMetric.RefusedCalls), Sum(g, UsageMetric.BandwidthBytes)))
            .ToList();
        return new UsageHistoryResponse(unit!.Value.ToString().ToLowerInvariant(), start, end, items);

        static long Sum(IEnumerable<Row> rows, string metric) => rows.Where(r => r.Metric == metric).Sum(r => r.Value);
    }

    private sealed record Row(string Metric, DateTimeOffset PeriodStart, long Value);

    private static UsageMeter WithForecast(UsageMeter meter, UsageForecast? forecast) =>
        forecast is null ? meter : meter with { ForecastDate = forecast.Date, Forecast = forecast.Statement };

    private static UsageMeter Meter(long used, long? limit) =>
        new(used, limit, limit is > 0 ? Math.Round((decimal)used / limit.Value, 4) : null);

    private static UsageLimitsResponse Describe(EffectiveLimits effective)
    {
        var (custom, limits) = (effective.Override, effective.Limits);
        var sources = new Dictionary<string, string>
        {
            ["apiCallsPerDay"] = Source(custom?.ApiCallsPerDay),
            ["storageBytes"] = Source(custom?.StorageBytes),
            ["bandwidthBytesPerMonth"] = Source(custom?.BandwidthBytesPerMonth),
            ["seats"] = Source(custom?.Seats),
            ["projects"] = Source(custom?.Projects),
            ["ratePerMinute"] = Source(custom?.RatePerMinute),
            ["burst"] = Source(custom?.Burst),
        };
        return new UsageLimitsResponse(effective.Tier, limits.ApiCallsPerDay, limits.StorageBytes, limits.BandwidthBytesPerMonth, limits.Seats, limits.Projects,
            limits.RatePerMinute, limits.Burst, sources, custom?.Overage ?? false);

        static string Source(long? value) => value is null ? "tier" : "override";
    }
}
