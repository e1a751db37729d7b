using System.Globalization;

namespace Intelagent.Server.Usage;

/// <summary>When a metric will reach its limit, and the sentence that says so ("API usage up 67%, will exceed limit in 5 days").</summary>
public sealed record UsageForecast(DateOnly Date, string Statement);

/// <summary>
/// Trend-aware forecasts from the daily history: an ordinary least-squares line through the last
/// <see cref="WindowDays"/> complete days (today is partial and would drag the trend down). A
/// straight line is enough for a two-week horizon, reacts to growth (unlike a plain average), and
/// needs no tuning (unlike Holt's smoothing constants); see docs/decisions/015-usage-degradation.md.
/// </summary>
public static class UsageForecaster
{
    public const int WindowDays = 14;

    /// <summary>The fewest days with usage before a trend is believed.</summary>
    public const int MinimumDays = 3;

    /// <summary>Further out than this a straight line says nothing useful.</summary>
    public const int HorizonDays = 366;

    /// <summary>
    /// A quota that resets daily: the day the fitted daily volume reaches the limit. Null when the
    /// limit is unlimited, the history is too short, or the trend is flat or falling.
    /// </summary>
    public static UsageForecast? DailyQuota(string label, IReadOnlyList<long> completeDays, long usedToday, long? limit, DateOnly today)
    {
        if (limit is not > 0 || completeDays.Count(d => d > 0) < MinimumDays) return null;
        var change = Change(completeDays);
        if (usedToday >= limit) return new UsageForecast(today, Statement(label, change, 0));
        var (intercept, slope) = Line(completeDays);
        if (slope <= 0) return null;
        // Day index n = completeDays.Count is today.
        var reachedAt = Math.Max(completeDays.Count, Math.Ceiling((limit.Value - intercept) / slope));
        var days = (int)(reachedAt - completeDays.Count);
        return days > HorizonDays ? null : new UsageForecast(today.AddDays(days), Statement(label, change, days));
    }

    /// <summary>
    /// A total over the period ending at <paramref name="lastDayOfPeriod"/> (bandwidth in the month):
    /// the day the running total, extended by the fitted daily volume, reaches the limit. Null when
    /// it would not before the period resets, or without enough history.
    /// </summary>
    public static UsageForecast? PeriodTotal(string label, IReadOnlyList<long> completeDays, long usedSoFar, long? limit, DateOnly today, DateOnly lastDayOfPeriod)
    {
        if (limit is not > 0 || completeDays.Count(d => d > 0) < MinimumDays) return null;
        var change = Change(completeDays);
        if (usedSoFar >= limit) return new UsageForecast(today, Statement(label, change, 0));
        var (intercept, slope) = Line(completeDays);
        double total = usedSoFar;
        for (var day = today.AddDays(1); day <= lastDayOfPeriod; day = day.AddDays(1))
        {
            var index = completeDays.Count + day.DayNumber - today.DayNumber;
            total += Math.Max(0, intercept + slope * index);
            if (total >= limit.Value) return new UsageForecast(day, Statement(label, change, day.DayNumber - today.DayNumber));
        }
        return null;
    }

    /// <summary>Least squares over (0, y0), (1, y1), ...: the intercept and slope per day.</summary>
    public static (double Intercept, double Slope) Line(IReadOnlyList<long> values)
    {
        var n = values.Count;
        if (n == 0) return (0, 0);
        if (n == 1) return (values[0], 0);
        double meanX = (n - 1) / 2.0, meanY = values.Average(v => (double)v);
        double covariance = 0, variance = 0;
        for (var x = 0; x < n; x++)
        {
            covariance += (x - meanX) * (values[x] - meanY);
            variance += (x - meanX) * (x - meanX);
        }
        var slope = covariance / variance;
        return (meanY - slope * meanX, slope);
    }

    /// <summary>The last seven days against the seven before, in percent; null without a base to compare with.</summary>
    public static int? Change(IReadOnlyList<long> completeDays)
    {
        if (completeDays.Count < 8) return null;
        var half = Math.Min(7, completeDays.Count / 2);
        double recent = completeDays.TakeLast(half).Sum(), before = completeDays.SkipLast(half).TakeLast(half).Sum();
        return before <= 0 ? null : (int)Math.Round((recent - before) / before * 100, MidpointRounding.AwayFromZero);
    }

    private static string Statement(string label, int? change, int days)
    {
        var trend = change switch
        {
            null => label,
            > 0 => $"{label} up {change.Value.ToString(CultureInfo.InvariantCulture)}%",
            < 0 => $"{label} down {(-change.Value).ToString(CultureInfo.InvariantCulture)}%",
            _ => $"{label} flat",
        };
        var when = days switch
        {
            0 => "has reached its limit",
            1 => "will exceed limit tomorrow",
            _ => $"will exceed limit in {days.ToString(CultureInfo.InvariantCulture)} days",
        };
        return $"{trend}, {when}";
    }
}
