using System.Collections.Frozen;
using static Intelagent.Server.Insights.Query.CalendarMath;

namespace Intelagent.Server.Insights.Query;

/// <summary>A time expression found in a question: its range and the tokens it covered.</summary>
public readonly record struct TimeMatch(int Start, int Length, QueryTimeRange Range);

/// <summary>
/// Reads time expressions from a question's tokens (lower case, typos corrected). Conventions (see
/// docs/insights-vocabulary.md): "last/previous X" is the previous calendar X; "this X" and
/// "X to date" run from the start of the current X to now; "past/last N days|weeks|months" are N
/// calendar units ending with the current one, to now; "since March" starts at the most recent
/// March 1st; "Q2" and "March" without a year are the most recent ones that have begun.
/// </summary>
public static class TimeExpressions
{
    private static readonly FrozenDictionary<string, int> MonthNames = new Dictionary<string, int>
    {
        ["january"] = 1,
        ["jan"] = 1,
        ["february"] = 2,
        ["feb"] = 2,
        ["march"] = 3,
        ["mar"] = 3,
        ["april"] = 4,
        ["apr"] = 4,
        ["may"] = 5,
        ["june"] = 6,
        ["jun"] = 6,
        ["july"] = 7,
        ["jul"] = 7,
        ["august"] = 8,
        ["aug"] = 8,
        ["september"] = 9,
        ["sep"] = 9,
        ["sept"] = 9,
        ["october"] = 10,
        ["oct"] = 10,
        ["november"] = 11,
        ["nov"] = 11,
        ["december"] = 12,
        ["dec"] = 12,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, int> NumberWords = new Dictionary<string, int>
    {
        ["one"] = 1,
        ["two"] = 2,
        ["three"] = 3,
        ["four"] = 4,
        ["five"] = 5,
        ["six"] = 6,
        ["seven"] = 7,
        ["eight"] = 8,
        ["nine"] = 9,
        ["ten"] = 10,
        ["eleven"] = 11,
        ["twelve"] = 12,
        ["fourteen"] = 14,
        ["thirty"] = 30,
        ["ninety"] = 90,
    }.ToFrozenDictionary();

    private static readonly FrozenSet<string> Units = new[] { "day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years" }.ToFrozenSet();

    /// <summary>Words that ask about the future: answered by the predictions, not by a query over what happened.</summary>
    public static readonly FrozenSet<string> FutureWords = new[] { "next", "tomorrow", "will", "forecast", "forecasted", "predict", "predicted", "projection", "projected", "upcoming" }.ToFrozenSet();

    public static bool IsNumberWord(string token, out int value) => NumberWords.TryGetValue(token, out value);

    public static bool TryMonth(string token, out int month) => MonthNames.TryGetValue(token, out month);

    /// <summary>Finds every time expression, left to right, in the tokens not yet consumed.</summary>
    public static List<TimeMatch> FindAll(string[] tokens, bool[] consumed, DateTimeOffset now, TimeZoneInfo zone)
    {
        var found = new List<TimeMatch>(2);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (consumed[i]) continue;
            if (TryAt(tokens, i, now, zone) is { } match)
            {
                for (var k = match.Start; k < match.Start + match.Length; k++) consumed[k] = true;
                found.Add(match);
                i = match.Start + match.Length - 1;
            }
        }
        return found;
    }

    private static TimeMatch? TryAt(string[] t, int i, DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = Today(now, zone);
        string At(int k) => k < t.Length ? t[k] : "";
        TimeMatch Match(int length, DateOnly from, DateTimeOffset? to = null) =>
            new(i, length, new QueryTimeRange(StartOf(from, zone), to ?? now, string.Join(' ', t, i, length)));
        TimeMatch Closed(int length, DateOnly from, DateOnly to) =>
            new(i, length, new QueryTimeRange(StartOf(from, zone), Min(StartOf(to, zone), now), string.Join(' ', t, i, length)));

        var word = t[i];
        switch (word)
        {
            case "today": return Match(1, today);
            case "yesterday": return Closed(1, today.AddDays(-1), today);
            case "ytd": return Match(1, new DateOnly(today.Year, 1, 1));
            case "qtd": return Match(1, QuarterStart(today));
            case "mtd": return Match(1, MonthStart(today));
            case "wtd": return Match(1, WeekStart(today));
        }
        if (At(i + 1) == "to" && At(i + 2) == "date")
        {
            return word switch
            {
                "year" => Match(3, new DateOnly(today.Year, 1, 1)),
                "quarter" => Match(3, QuarterStart(today)),
                "month" => Match(3, MonthStart(today)),
                "week" => Match(3, WeekStart(today)),
                _ => null,
            };
        }
        if (word is "this" or "current")
        {
            return At(i + 1) switch
            {
                "week" => Match(2, WeekStart(today)),
                "month" => Match(2, MonthStart(today)),
                "quarter" => Match(2, QuarterStart(today)),
                "year" => Match(2, new DateOnly(today.Year, 1, 1)),
                _ => null,
            };
        }
        if (word is "last" or "past" or "previous" or "prior" or "trailing")
        {
            var skip = At(i + 1) == "the" ? 1 : 0;
            if (Count(At(i + 1 + skip)) is { } n && Units.Contains(At(i + 2 + skip)))
                return Rolling(i, 3 + skip, n, At(i + 2 + skip), today, now, zone, t);
            var unit = At(i + 1);
            if (!Units.Contains(unit)) return null;
            if (word is "past" or "trailing")
                return unit.StartsWith("month", StringComparison.Ordinal) ? Match(2, today.AddDays(-29))
                    : unit.StartsWith("quarter", StringComparison.Ordinal) ? Match(2, today.AddDays(-89))
                    : Rolling(i, 2, 1, unit, today, now, zone, t);
            return unit switch
            {
                "day" => Closed(2, today.AddDays(-1), today),
                "week" => Closed(2, WeekStart(today).AddDays(-7), WeekStart(today)),
                "month" => Closed(2, MonthStart(today).AddMonths(-1), MonthStart(today)),
                "quarter" => Closed(2, QuarterStart(today).AddMonths(-3), QuarterStart(today)),
                "year" => Closed(2, new DateOnly(today.Year - 1, 1, 1), new DateOnly(today.Year, 1, 1)),
                _ => null,
            };
        }
        if (word == "since")
        {
            if (TryMonth(At(i + 1), out var month))
            {
                var year = Year(At(i + 2)) ?? (month <= today.Month ? today.Year : today.Year - 1);
                return Match(Year(At(i + 2)) is null ? 2 : 3, new DateOnly(year, month, 1));
            }
            if (Year(At(i + 1)) is { } sinceYear) return Match(2, new DateOnly(sinceYear, 1, 1));
            if (At(i + 1) is "last" or "previous" && TryAt(t, i + 1, now, zone) is { } previous)
                return new TimeMatch(i, previous.Length + 1, new QueryTimeRange(previous.Range.From, now, string.Join(' ', t, i, previous.Length + 1)));
            return null;
        }
        if (Ordinal(word) is { } ordinal && At(i + 1) == "quarter")
        {
            var skip = At(i + 2) == "of" ? 1 : 0;
            var year = Year(At(i + 2 + skip));
            var start = new DateOnly(year ?? (ordinal <= QuarterOf(today) ? today.Year : today.Year - 1), ordinal * 3 - 2, 1);
            return Closed(year is null ? 2 : 3 + skip, start, start.AddMonths(3));
        }
        if (word.Length == 2 && word[0] == 'q' && word[1] is >= '1' and <= '4')
        {
            var quarter = word[1] - '0';
            var (year, length) = Year(At(i + 1)) is { } y ? (y, 2)
                : At(i + 1) is "this" or "last" && At(i + 2) == "year" ? (At(i + 1) == "this" ? today.Year : today.Year - 1, 3)
                : (quarter <= QuarterOf(today) ? today.Year : today.Year - 1, 1);
            var start = new DateOnly(year, quarter * 3 - 2, 1);
            return Closed(length, start, start.AddMonths(3));
        }
        if (TryMonth(word, out var named) && (word != "may" || Year(At(i + 1)) is not null || (i > 0 && t[i - 1] is "in" or "during" or "for" or "of")))
        {
            var explicitYear = Year(At(i + 1));
            var year = explicitYear ?? (named <= today.Month ? today.Year : today.Year - 1);
            var start = new DateOnly(year, named, 1);
            return Closed(explicitYear is null ? 1 : 2, start, start.AddMonths(1));
        }
        if (Year(word) is { } calendarYear && (i == 0 || t[i - 1] is not ("q1" or "q2" or "q3" or "q4")))
            return Closed(1, new DateOnly(calendarYear, 1, 1), new DateOnly(calendarYear + 1, 1, 1));
        return null;
    }

    private static TimeMatch Rolling(int i, int length, int n, string unit, DateOnly today, DateTimeOffset now, TimeZoneInfo zone, string[] t)
    {
        var from = unit switch
        {
            "day" or "days" => today.AddDays(-(n - 1)),
            "week" or "weeks" => today.AddDays(-(7 * n - 1)),
            "month" or "months" => MonthStart(today).AddMonths(-(n - 1)),
            "quarter" or "quarters" => QuarterStart(today).AddMonths(-3 * (n - 1)),
            _ => MonthStart(today).AddMonths(-(12 * n - 1)),
        };
        return new TimeMatch(i, length, new QueryTimeRange(StartOf(from, zone), now, string.Join(' ', t, i, length)));
    }

    private static int? Ordinal(string token) => token switch
    {
        "first" or "1st" => 1,
        "second" or "2nd" => 2,
        "third" or "3rd" => 3,
        "fourth" or "4th" => 4,
        _ => null,
    };

    private static int? Count(string token)
    {
        if (int.TryParse(token, out var n) && n is > 0 and <= 3660) return n;
        return NumberWords.TryGetValue(token, out var word) ? word : null;
    }

    private static int? Year(string token) =>
        token.Length == 4 && int.TryParse(token, out var year) && year is >= 1990 and <= 2199 ? year : null;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Words of time expressions, so typo correction can reach them.</summary>
    public static IEnumerable<string> Words =>
        MonthNames.Keys.Where(k => k.Length > 3).Concat(NumberWords.Keys).Concat(Units).Concat(FutureWords)
            .Concat(["today", "yesterday", "last", "past", "previous", "prior", "trailing", "this", "current", "since", "date", "ytd", "qtd", "mtd", "wtd", "first", "second", "third", "fourth"]);
}
