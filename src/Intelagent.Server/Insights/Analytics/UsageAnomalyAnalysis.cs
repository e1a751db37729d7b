namespace Intelagent.Server.Insights.Analytics;

public sealed record DailyValue(DateOnly Day, double Value);

/// <param name="Z">Robust z-score of the day against its weekday's median.</param>
/// <param name="AdjustedP">Two-sided normal p-value, Bonferroni-adjusted over the days examined.</param>
public sealed record UsageAnomaly(DateOnly Day, double Value, double Expected, double Z, double AdjustedP)
{
    public bool IsSpike => Value > Expected;
}

/// <summary>
/// Seasonality-aware, outlier-robust anomalies in a daily series: each weekday's expected value is
/// the median of that weekday over the history, the scale is the MAD of the history's residuals
/// (never below the Poisson spread √expected of a count), and a recent day is an anomaly when its
/// robust z-score stays significant after a Bonferroni correction over the recent days. Medians and
/// MAD ignore a few past outliers, so one old spike neither hides a new one nor causes a false one.
/// </summary>
public static class UsageAnomalyAnalysis
{
    public const int HistoryWeeks = 8;
    public const int RecentDays = 7;
    /// <summary>A series this small says nothing: a day of 3 calls instead of 1 is not an anomaly worth a claim.</summary>
    public const double MinimumLevel = 20;

    /// <param name="firstDataDay">The first day the series has data at all: days before it are unknown, not zero.</param>
    public static UsageAnomaly? Detect(IReadOnlyList<DailyValue> series, DateOnly firstDataDay, DateOnly today, double familyAlpha)
    {
        var firstRecent = today.AddDays(-RecentDays);
        var firstHistory = firstRecent.AddDays(-7 * HistoryWeeks);
        var values = series.ToDictionary(v => v.Day, v => v.Value);
        double ValueOn(DateOnly day) => values.GetValueOrDefault(day);
        var history = Enumerable.Range(0, 7 * HistoryWeeks).Select(i => firstHistory.AddDays(i)).ToList();
        // A series that starts inside the history window would read its missing days as zero usage.
        if (firstDataDay > firstHistory) return null;
        var expected = history.GroupBy(d => d.DayOfWeek).ToDictionary(g => g.Key, g => Statistics.Median(g.Select(ValueOn)));
        if (Statistics.Median(expected.Values) < MinimumLevel) return null;
        var residualScale = Statistics.RobustScale(history.Select(d => ValueOn(d) - expected[d.DayOfWeek]));

        UsageAnomaly? strongest = null;
        for (var day = firstRecent; day < today; day = day.AddDays(1))
        {
            var centre = expected[day.DayOfWeek];
            var scale = Math.Max(Math.Max(residualScale, Math.Sqrt(Math.Max(centre, 1))), 1);
            var z = (ValueOn(day) - centre) / scale;
            var adjusted = Math.Min(1, RecentDays * Statistics.TwoSided(z));
            if (adjusted < familyAlpha && (strongest is null || Math.Abs(z) > Math.Abs(strongest.Z)))
                strongest = new UsageAnomaly(day, ValueOn(day), centre, z, adjusted);
        }
        return strongest;
    }
}
