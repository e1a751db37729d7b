using System.Globalization;

namespace Intelagent.Server.Insights.Query;

public sealed record QueryRequest(string? Question);

/// <summary>
/// The answer to a question: words, the typed query it was understood as, the data as a table and
/// a chart the portals can draw. <see cref="Understood"/> is false when the question could not be
/// answered; <see cref="Answer"/> then says why and <see cref="Suggestions"/> offers questions that can.
/// </summary>
/// <param name="Interpreter">parser, or language-model when OPENAI_API_KEY chose the model.</param>
public sealed record QueryResponse(
    string Question,
    bool Understood,
    string Answer,
    InsightQuery? Interpreted,
    QueryTable Table,
    QueryChart? Chart,
    IReadOnlyList<string>? Suggestions,
    IReadOnlyList<string>? Corrections,
    string Interpreter,
    string? Currency = null);

/// <param name="Type">text, date, number, money, ratio.</param>
public sealed record QueryColumn(string Key, string Label, string Type);

public sealed record QueryTable(IReadOnlyList<QueryColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    public static readonly QueryTable Empty = new([], []);
}

/// <param name="Kind">line, bar, waterfall, table.</param>
/// <param name="X">The column key on the horizontal axis.</param>
/// <param name="Y">The column key of the first series.</param>
/// <param name="Series">Every column key drawn as a series.</param>
public sealed record QueryChart(string Kind, string X, string Y, IReadOnlyList<string> Series, string Title);

/// <summary>What the executor found: the answer in words and the data behind it.</summary>
public sealed record QueryOutcome(string Answer, QueryTable Table, QueryChart? Chart, string? Currency = null);

/// <summary>How figures read in answers: money to cents (half away from zero), ratios as percentages, counts with separators.</summary>
public static class QueryFormat
{
    public static decimal Money(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static double? Ratio(double? value) => value is { } v ? Math.Round(v, 4) : null;

    public static string Text(decimal value, MetricUnit unit, string? currency = null) => unit switch
    {
        MetricUnit.Money => $"{Money(value).ToString("N2", CultureInfo.InvariantCulture)} {currency}".TrimEnd(),
        MetricUnit.Ratio => (value * 100m).ToString("0.#", CultureInfo.InvariantCulture) + "%",
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Change(decimal current, decimal previous, MetricUnit unit, string? currency = null)
    {
        if (unit == MetricUnit.Ratio)
        {
            var points = (current - previous) * 100m;
            return $"{(points >= 0 ? "+" : "")}{points.ToString("0.#", CultureInfo.InvariantCulture)} percentage points";
        }
        var difference = current - previous;
        var sign = difference >= 0 ? "+" : "-";
        var relative = previous == 0m ? "" : $" ({sign}{Math.Abs(difference / previous * 100m).ToString("0.#", CultureInfo.InvariantCulture)}%)";
        return $"{sign}{Text(Math.Abs(difference), unit, currency)}{relative}";
    }

    public static decimal? Growth(decimal current, decimal previous) => previous == 0m ? null : (current - previous) / previous;

    public static string Range(QueryTimeRange range) =>
        range.From == range.To ? "now" : $"{range.Expression} ({range.From:yyyy-MM-dd} to {range.To:yyyy-MM-dd HH:mm} UTC)";
}
