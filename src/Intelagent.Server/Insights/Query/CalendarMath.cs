namespace Intelagent.Server.Insights.Query;

/// <summary>
/// Local calendar dates to UTC instants in an organization's time zone: a day, week (ISO, Monday
/// first), month, quarter or year starts at local midnight. A midnight skipped by a daylight-saving
/// change starts at the first valid local instant after it.
/// </summary>
public static class CalendarMath
{
    public static DateOnly Today(DateTimeOffset now, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

    public static DateTimeOffset StartOf(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    public static DateOnly MonthStart(DateOnly date) => new(date.Year, date.Month, 1);

    public static DateOnly QuarterStart(DateOnly date) => new(date.Year, (date.Month - 1) / 3 * 3 + 1, 1);

    public static DateOnly WeekStart(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    public static int QuarterOf(DateOnly date) => (date.Month - 1) / 3 + 1;

    /// <summary>Shifts a range back by whole months (previous month, quarter, year) when it is made of whole months, else by its length.</summary>
    public static QueryTimeRange Shift(QueryTimeRange range, int months, TimeZoneInfo zone, string expression)
    {
        var from = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(range.From, zone).DateTime);
        var to = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(range.To, zone).DateTime);
        var toLocal = TimeZoneInfo.ConvertTime(range.To, zone);
        var length = range.To - range.From;
        var shiftedFrom = StartOf(from.AddMonths(-months), zone);
        // A range that ends mid-day (at "now") keeps its elapsed length, so "this month so far" compares with the same span of last month.
        var shiftedTo = toLocal.TimeOfDay == TimeSpan.Zero ? StartOf(to.AddMonths(-months), zone) : shiftedFrom + length;
        return new QueryTimeRange(shiftedFrom, shiftedTo, expression);
    }

    /// <summary>The span of the same length just before the range.</summary>
    public static QueryTimeRange Previous(QueryTimeRange range, TimeZoneInfo zone)
    {
        var from = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(range.From, zone).DateTime);
        var to = TimeZoneInfo.ConvertTime(range.To, zone);
        // Whole calendar months (last month, Q2, 2025) compare with the same number of months before.
        if (from.Day == 1 && to.TimeOfDay == TimeSpan.Zero && to.Day == 1)
        {
            var months = (to.Year - from.Year) * 12 + to.Month - from.Month;
            if (months > 0) return Shift(range, months, zone, "previous period");
        }
        return new QueryTimeRange(range.From - (range.To - range.From), range.From, "previous period");
    }
}
