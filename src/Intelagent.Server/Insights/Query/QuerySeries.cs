using System.Globalization;
using MathNet.Numerics.Distributions;
using static Intelagent.Server.Insights.Query.QueryFormat;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// Turns counts (or numerator and denominator pairs for rates) keyed by a label into the table,
/// chart and words of an answer, shared by usage, product events and members.
/// </summary>
public static class QuerySeries
{
    /// <summary>The one key of an ungrouped figure.</summary>
    public const string All = "all";

    /// <summary>The label of the period a UTC day falls in (<see cref="All"/> when not grouped).</summary>
    public static string Bucket(DateTimeOffset day, string grouping) => grouping switch
    {
        QueryDimensions.Week => CalendarMath.WeekStart(DateOnly.FromDateTime(day.UtcDateTime)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        QueryDimensions.Month => day.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        QueryDimensions.Quarter => $"{day.Year}-Q{(day.Month - 1) / 3 + 1}",
        QueryDimensions.Weekday => day.DayOfWeek.ToString(),
        All => All,
        _ => day.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>Every period label of a range in order, so that quiet days show as zero rather than vanish.</summary>
    public static List<string> Periods(DateTimeOffset from, DateTimeOffset to, string grouping)
    {
        var labels = new List<string>();
        for (var day = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero); day < to && labels.Count < 4000; day = day.AddDays(1))
        {
            var label = Bucket(day, grouping);
            if (labels.Count == 0 || labels[^1] != label) labels.Add(label);
        }
        return labels;
    }

    public static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>A count per key (with an optional denominator per key for rates) as an answer.</summary>
    public static QueryOutcome Answer(InsightQuery query, MetricDefinition metric, IReadOnlyList<string> order, IReadOnlyDictionary<string, (long Count, long Base)> values, Func<string, string>? label = null)
    {
        label ??= key => key;
        var isRate = metric.Unit == MetricUnit.Ratio;
        var grouping = query.GroupBy;
        var byTime = grouping is not null && QueryDimensions.IsTime(grouping);
        var keys = order.ToList();
        if (query.Intent == QueryIntents.Ranking || (!byTime && grouping is not null and not QueryDimensions.Weekday and not QueryDimensions.Hour))
        {
            var descending = query.Ranking?.Descending ?? true;
            double Score(string k) => isRate ? RateOf(values.GetValueOrDefault(k)) ?? -1 : values.GetValueOrDefault(k).Count;
            keys = (descending ? keys.OrderByDescending(Score) : keys.OrderBy(Score)).Take(query.Ranking?.Limit ?? 50).ToList();
        }
        var columns = new List<QueryColumn> { new("key", grouping ?? "period", "text"), new("value", metric.Label, isRate ? "ratio" : "number") };
        if (isRate) columns.AddRange([new("sample", "Sample", "number"), new("low95", "95% low", "ratio"), new("high95", "95% high", "ratio")]);
        var rows = keys.Select(k =>
        {
            var (count, total) = values.GetValueOrDefault(k);
            if (!isRate) return (IReadOnlyList<object?>)[label(k), count];
            var (low, high) = Wilson(count, total);
            return [label(k), Ratio(RateOf((count, total))), total, Ratio(low), Ratio(high)];
        }).ToList();

        var totalCount = values.Values.Sum(v => v.Count);
        var totalBase = values.Values.Sum(v => v.Base);
        var overall = isRate ? (totalBase == 0 ? "no data" : Text((decimal)totalCount / totalBase, MetricUnit.Ratio)) : Text(totalCount, MetricUnit.Count);
        var answer = $"{metric.Label} for {Range(query.Time)}: {overall}{(isRate ? $" ({totalCount:N0} of {totalBase:N0})" : "")}.";
        var withData = keys.Where(k => values.ContainsKey(k)).ToList();
        if (grouping is not null && !byTime && withData.Count > 0)
        {
            var leader = withData.MaxBy(k => isRate ? RateOf(values[k]) ?? -1 : values[k].Count)!;
            answer += " " + Leader(label(leader), values[leader], totalCount, totalBase, isRate);
        }
        var kind = byTime ? "line" : grouping is null ? "table" : "bar";
        return new QueryOutcome(answer, new QueryTable(columns, rows), new QueryChart(kind, "key", "value", ["value"], $"{metric.Label}{(grouping is null ? "" : " by " + grouping)}, {query.Time.Expression}"));
    }

    /// <summary>
    /// Says which group leads, and for a rate whether it differs from the others beyond chance (a
    /// two-proportion z-test, 5% level): no claim of "better" without it.
    /// </summary>
    private static string Leader(string name, (long Count, long Base) top, long totalCount, long totalBase, bool isRate)
    {
        if (!isRate) return $"{name} leads with {top.Count:N0}.";
        var restCount = totalCount - top.Count;
        var restBase = totalBase - top.Base;
        if (top.Base == 0 || restBase == 0) return $"{name} leads, but there is nothing to compare it with.";
        var p1 = (double)top.Count / top.Base;
        var p2 = (double)restCount / restBase;
        var pooled = (double)totalCount / totalBase;
        var standardError = Math.Sqrt(pooled * (1 - pooled) * (1.0 / top.Base + 1.0 / restBase));
        var pValue = standardError == 0 ? 1.0 : 2 * (1 - Normal.CDF(0, 1, Math.Abs(p1 - p2) / standardError));
        var lift = p2 == 0 ? "" : $" ({(p1 / p2 - 1) * 100:+0;-0}% relative)";
        return pValue < 0.05
            ? $"{name} is highest at {p1:P1} against {p2:P1} for the rest{lift}; the difference is significant (p = {pValue:0.###})."
            : $"{name} is highest at {p1:P1} against {p2:P1} for the rest, but the difference is not significant (p = {pValue:0.##}), so it may be chance.";
    }

    public static double? RateOf((long Count, long Base) value) => value.Base == 0 ? null : (double)value.Count / value.Base;

    /// <summary>The Wilson score interval at 95%: honest about small samples, unlike the normal approximation.</summary>
    public static (double? Low, double? High) Wilson(long successes, long trials)
    {
        if (trials == 0) return (null, null);
        const double z = 1.959963984540054;
        var n = (double)trials;
        var p = Math.Min(1.0, successes / n);
        var centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        var margin = z * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        return (Math.Max(0, centre - margin), Math.Min(1, centre + margin));
    }
}
