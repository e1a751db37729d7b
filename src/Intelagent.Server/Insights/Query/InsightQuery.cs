namespace Intelagent.Server.Insights.Query;

/// <summary>
/// A question turned into something our code can run: what to measure, for what, split how, over
/// which time, compared with what, ranked how. The parser and the language-model interpreter both
/// produce it; only the executor reads data, under the caller's permissions. Codes are the
/// documented vocabulary (docs/insights-vocabulary.md), kept as strings so they read the same in
/// JSON, in the question set and in the model's tool schema.
/// </summary>
/// <param name="Intent">One of <see cref="QueryIntents"/>.</param>
/// <param name="Metric">One of <see cref="QueryMetrics"/>.</param>
/// <param name="GroupBy">One of <see cref="QueryDimensions"/>, or null for a single figure.</param>
/// <param name="Comparison">One of <see cref="QueryComparisons"/>, or null.</param>
public sealed record InsightQuery(
    string Intent,
    string Metric,
    IReadOnlyList<QueryFilter> Filters,
    string? GroupBy,
    QueryTimeRange Time,
    string? Comparison,
    QueryTimeRange? ComparedTo,
    QueryRanking? Ranking);

/// <param name="Dimension">product, customer, tier or event_type.</param>
public sealed record QueryFilter(string Dimension, string Value);

/// <summary>
/// Absolute bounds <c>[From, To)</c> in UTC, computed from the clock's now and the organization's
/// time zone (a "day" or "month" starts at local midnight), and the words they came from.
/// </summary>
/// <param name="IsDefault">True when the question named no time and the metric's default applied.</param>
public sealed record QueryTimeRange(DateTimeOffset From, DateTimeOffset To, string Expression, bool IsDefault = false);

/// <param name="Descending">True for "top", "most", "highest"; false for "bottom", "least", "lowest".</param>
public sealed record QueryRanking(int Limit, bool Descending);

public static class QueryIntents
{
    /// <summary>One figure ("what is our MRR").</summary>
    public const string Value = "value";
    /// <summary>A series over time ("revenue by month", "trend").</summary>
    public const string Trend = "trend";
    /// <summary>Change over the range, with the series behind it ("revenue growth last quarter").</summary>
    public const string Growth = "growth";
    /// <summary>Split by a dimension ("tickets by product").</summary>
    public const string Breakdown = "breakdown";
    /// <summary>Top or bottom N ("top 5 customers by API calls").</summary>
    public const string Ranking = "ranking";
    /// <summary>The churn risk list.</summary>
    public const string Risk = "risk";
    /// <summary>What explains a change ("what's driving our cost increase").</summary>
    public const string Drivers = "drivers";
    /// <summary>This period against another (month over month, year over year, previous period).</summary>
    public const string Comparison = "comparison";

    public static readonly IReadOnlyList<string> All = [Value, Trend, Growth, Breakdown, Ranking, Risk, Drivers, Comparison];
}

public static class QueryComparisons
{
    public const string PreviousPeriod = "previous_period";
    public const string WeekOverWeek = "week_over_week";
    public const string MonthOverMonth = "month_over_month";
    public const string QuarterOverQuarter = "quarter_over_quarter";
    public const string YearOverYear = "year_over_year";

    public static readonly IReadOnlyList<string> All = [PreviousPeriod, WeekOverWeek, MonthOverMonth, QuarterOverQuarter, YearOverYear];
}

public static class QueryDimensions
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";
    public const string Quarter = "quarter";
    public const string Product = "product";
    public const string Customer = "customer";
    public const string Tier = "tier";
    public const string Weekday = "weekday";
    public const string Hour = "hour";
    public const string Category = "category";
    public const string EventType = "event_type";

    public static readonly IReadOnlyList<string> All = [Day, Week, Month, Quarter, Product, Customer, Tier, Weekday, Hour, Category, EventType];

    public static bool IsTime(string dimension) => dimension is Day or Week or Month or Quarter;
}
