using Intelagent.Server.Organizations;

namespace Intelagent.Server.Usage;

/// <summary>The effective limits; null is unlimited. <c>sources</c> says, per limit, "tier" or "override".</summary>
public sealed record UsageLimitsResponse(
    SubscriptionTier Tier, long? ApiCallsPerDay, long? StorageBytes, long? BandwidthBytesPerMonth, int? Seats, int? Projects,
    int RatePerMinute, int Burst, IReadOnlyDictionary<string, string> Sources, bool Overage = false);

/// <summary>
/// An operator's custom limits; a null field follows the tier, -1 lifts a limit (rate and burst must be positive).
/// <c>overage</c> true serves calls past the daily quota and records them for billing.
/// </summary>
public sealed record SetUsageLimitsRequest(
    long? ApiCallsPerDay, long? StorageBytes, long? BandwidthBytesPerMonth, int? Seats, int? Projects, int? RatePerMinute, int? Burst, bool? Overage = null);

/// <summary>
/// One metric in its current period. <c>forecastDate</c> is the UTC day the trend reaches the limit and
/// <c>forecast</c> says so in words; both null when unlimited or without a rising trend.
/// </summary>
public sealed record UsageMeter(long Used, long? Limit, decimal? Percent, DateOnly? ForecastDate = null, string? Forecast = null);

public sealed record UsageResponse(
    DateTimeOffset Day, DateTimeOffset Month, UsageMeter ApiCallsToday, long RefusedCallsToday, UsageMeter BandwidthBytesThisMonth,
    UsageMeter Seats, UsageMeter Projects, UsageMeter StorageBytes, decimal ComputeSecondsThisMonth, decimal BackgroundJobsThisMonth);

public sealed record UsageHistoryPoint(DateTimeOffset PeriodStart, long ApiCalls, long RefusedCalls, long BandwidthBytes);

public sealed record UsageHistoryResponse(string Granularity, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageHistoryPoint> Items);
