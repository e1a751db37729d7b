using static Intelagent.Server.Insights.Query.CalendarMath;

namespace Intelagent.Server.Insights.Query;

/// <summary>What a question leaves unsaid: the time range, the comparison period and the series' step.</summary>
public static class QueryDefaults
{
    public static readonly IReadOnlyList<string> Suggestions =
    [
        "Show me revenue growth last quarter",
        "Which customers are at risk of churning?",
        "What's driving our cost increase?",
        "How many API calls did we make in the past 30 days?",
        "What is our email open rate by weekday?",
        "How many chatbot conversations this month compared to last month?",
        "What was our churn rate last month?",
        "Top 5 customers by MRR",
    ];

    /// <summary>
    /// Money and customers: the current month for a figure, the last 12 months for a series. A
    /// change to explain: last month against the month before (closed months, so the change is
    /// real). Events and usage: the past 30 days. Members and churn risk: now.
    /// </summary>
    public static QueryTimeRange TimeFor(MetricDefinition metric, string intent, string? comparison, DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = Today(now, zone);
        QueryTimeRange From(DateOnly start, string expression, DateOnly? end = null) =>
            new(StartOf(start, zone), end is { } e ? StartOf(e, zone) : now, expression, IsDefault: true);

        if (metric.Family is MetricFamily.Members or MetricFamily.ChurnRisk) return new QueryTimeRange(now, now, "now", IsDefault: true);
        if (comparison == QueryComparisons.WeekOverWeek) return From(WeekStart(today), "this week");
        if (comparison == QueryComparisons.MonthOverMonth) return From(MonthStart(today), "this month");
        if (comparison == QueryComparisons.QuarterOverQuarter) return From(QuarterStart(today), "this quarter");
        if (comparison == QueryComparisons.YearOverYear)
            return metric.Family is MetricFamily.Finance or MetricFamily.Cost ? From(MonthStart(today), "this month") : From(new DateOnly(today.Year, 1, 1), "this year");
        if (intent == QueryIntents.Drivers) return From(MonthStart(today).AddMonths(-1), "last month", MonthStart(today));
        if (intent is QueryIntents.Trend or QueryIntents.Growth)
            return metric.Family is MetricFamily.Finance or MetricFamily.Cost ? From(MonthStart(today).AddMonths(-11), "past 12 months") : From(today.AddDays(-29), "past 30 days");
        return metric.Family switch
        {
            MetricFamily.Finance when metric.Code is "new_customers" or "churned_customers" or "churn_rate" or "net_revenue_retention" =>
                From(MonthStart(today).AddMonths(-1), "last month", MonthStart(today)),
            MetricFamily.Finance => From(MonthStart(today), "this month"),
            MetricFamily.Cost => From(MonthStart(today).AddMonths(-1), "last month", MonthStart(today)),
            _ => From(today.AddDays(-29), "past 30 days"),
        };
    }

    public static QueryTimeRange ComparedTo(QueryTimeRange time, string comparison, TimeZoneInfo zone) => comparison switch
    {
        QueryComparisons.WeekOverWeek => new QueryTimeRange(time.From.AddDays(-7), time.To.AddDays(-7), "the week before"),
        QueryComparisons.MonthOverMonth => Shift(time, 1, zone, "the month before"),
        QueryComparisons.QuarterOverQuarter => Shift(time, 3, zone, "the quarter before"),
        QueryComparisons.YearOverYear => Shift(time, 12, zone, "a year before"),
        _ => Previous(time, zone),
    };

    /// <summary>The step of a series: months for money, else days up to two months, weeks up to half a year, then months.</summary>
    public static string TimeGrouping(MetricDefinition metric, QueryTimeRange time)
    {
        if (metric.Family is MetricFamily.Finance or MetricFamily.Cost) return QueryDimensions.Month;
        if (!metric.Groupings.Contains(QueryDimensions.Day)) return metric.Groupings[0];
        var days = (time.To - time.From).TotalDays;
        return days <= 62 ? QueryDimensions.Day : days <= 190 ? QueryDimensions.Week : QueryDimensions.Month;
    }
}
