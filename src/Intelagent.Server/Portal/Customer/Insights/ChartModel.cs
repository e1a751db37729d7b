using System.Globalization;
using Intelagent.Server.Insights.Query;

namespace Intelagent.Server.Portal.Customer.Insights;

/// <summary>
/// One drawn series: its name and one value per label (null where the data has none), exact as the
/// answer's table has them; only the renderer's plot positions are doubles.
/// </summary>
public sealed record ChartSeriesData(string Name, IReadOnlyList<decimal?> Values);

/// <summary>
/// What <see cref="SvgChartRenderer"/> draws: a line, bar or waterfall chart with its axis labels.
/// <paramref name="Unit"/> is the value columns' type (number, money, ratio) and decides how ticks read.
/// </summary>
public sealed record ChartData(string Kind, string Title, string XLabel, string YLabel, IReadOnlyList<string> Labels, IReadOnlyList<ChartSeriesData> Series,
    string Unit = "number", string? Currency = null)
{
    public const string Line = "line";
    public const string Bar = "bar";
    public const string Waterfall = "waterfall";

    /// <summary>
    /// The chart an answer describes, built from its own table (the chart names the columns): null when
    /// the answer has no chart, asks for a table only, or has no rows to draw.
    /// </summary>
    public static ChartData? From(QueryResponse answer)
    {
        if (answer.Chart is not { } chart || chart.Kind is not (Line or Bar or Waterfall) || answer.Table.Rows.Count == 0) return null;
        var columns = answer.Table.Columns;
        var x = IndexOf(columns, chart.X);
        var series = chart.Series.Select(key => IndexOf(columns, key)).Where(i => i >= 0).ToList();
        if (x < 0 || series.Count == 0) return null;
        var labels = answer.Table.Rows.Select(row => Cell(row, x)).ToList();
        var drawn = series.Select(i => new ChartSeriesData(columns[i].Label, answer.Table.Rows.Select(row => Number(row.Count > i ? row[i] : null)).ToList())).ToList();
        var unit = columns[series[0]].Type;
        var yLabel = columns[series[0]].Label + (unit == "money" && answer.Currency is { } currency ? $" ({currency})" : unit == "ratio" ? " (%)" : "");
        return new ChartData(chart.Kind, chart.Title, columns[x].Label, yLabel, labels, drawn, unit, answer.Currency);
    }

    private static int IndexOf(IReadOnlyList<QueryColumn> columns, string key)
    {
        for (var i = 0; i < columns.Count; i++)
            if (columns[i].Key == key) return i;
        return -1;
    }

    /// <summary>A table cell as text, the way the answer's table shows it.</summary>
    public static string Cell(IReadOnlyList<object?> row, int index) => index < row.Count ? Text(row[index]) : "";

    public static string Text(object? value) => value switch
    {
        null => "",
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A cell as an exact number: decimals and integers as they are, floating point only when finite and in decimal's range.</summary>
    public static decimal? Number(object? value) => value switch
    {
        null => null,
        decimal m => m,
        long l => l,
        int i => i,
        double d => Exact(d),
        float f => Exact(f),
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } json => json.TryGetDecimal(out var exact) ? exact : Exact(json.GetDouble()),
        string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static decimal? Exact(double value) => double.IsFinite(value) && Math.Abs(value) < 7.9e28 ? (decimal)value : null;
}
