namespace Intelagent.Server.Insights.Analytics;

public sealed record DailyValue(DateOnly Day, double Value);

/// <param name="Z">Robust z-score of the day against its weekday's median.</param>
/// <param name="AdjustedP">Two-sided normal p-value, Bonferroni-adjusted over the days examined.</param>
public sealed record UsageAnomaly(DateOnly Day, double Value, double Expected, double Z, double AdjustedP)
{
    public bool IsSpike => Value > Expected;
}

/// <summary>
/// Seasonality-aware, outlier-robust anomalies in a daily series. Usage varies by multiples (a busy
/// weekday is several weekend days), so the analysis runs on log(1 + calls): each weekday's expected
/// value is the median of that weekday over the history; the scale is the MAD of the history's
/// residuals, each residual taken against the median of its weekday's other days (leave-one-out, or
/// the residuals would be too small and every later day look unusual), and never below the Poisson
/// spread of a count. A recent day is an anomaly when its residual stays significant (Student's t on
/// the history's degrees of freedom) after a Bonferroni correction over the recent days. Medians and
/// MAD ignore a few past outliers, so an old spike neither hides a new one nor causes a false one.
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
        // A series that starts inside the history window would read its missing days as zero usage.
        if (firstDataDay > firstHistory) return null;
        var values = series.ToDictionary(v => v.Day, v => v.Value);
        double ValueOn(DateOnly day) => values.GetValueOrDefault(day);
        double LogOn(DateOnly day) => Math.Log(1 + ValueOn(day));
        var byWeekday = Enumerable.Range(0, 7 * HistoryWeeks).Select(i => firstHistory.AddDays(i)).GroupBy(d => d.DayOfWeek).ToDictionary(g => g.Key, g => g.ToList());
        var expected = byWeekday.ToDictionary(g => g.Key, g => Statistics.Median(g.Value.Select(LogOn)));
        if (Math.Exp(Statistics.Median(expected.Values)) - 1 < MinimumLevel) return null;
        var residuals = byWeekday.Values.SelectMany(days => days.Select(d => LogOn(d) - Statistics.Median(days.Where(o => o != d).Select(LogOn)))).ToList();
        var residualScale = Statistics.RobustScale(residuals);
        var distribution = new MathNet.Numerics.Distributions.StudentT(0, 1, residuals.Count - 7);

        UsageAnomaly? strongest = null;
        for (var day = firstRecent; day < today; day = day.AddDays(1))
        {
            var centre = expected[day.DayOfWeek];
            var expectedValue = Math.Exp(centre) - 1;
            var scale = Math.Max(residualScale, 1 / Math.Sqrt(Math.Max(expectedValue, 1)));
            var z = (LogOn(day) - centre) / scale;
            var adjusted = Math.Min(1, RecentDays * 2 * (1 - distribution.CumulativeDistribution(Math.Abs(z))));
            if (adjusted < familyAlpha && (strongest is null || Math.Abs(z) > Math.Abs(strongest.Z)))
                strongest = new UsageAnomaly(day, ValueOn(day), Math.Round(expectedValue), z, adjusted);
        }
        return strongest;
    }
}
