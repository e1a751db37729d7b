using System.Globalization;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Query;
using MudBlazor;

namespace Intelagent.Server.Portal.Customer.Insights;

/// <summary>How the insights pages write an insight's type, impact, data points and an answer's cells.</summary>
public static class InsightFormat
{
    public static string TypeLabel(string type) => type switch
    {
        InsightTypes.RevenueTrend => "Revenue trend",
        InsightTypes.UsageAnomaly => "Usage anomaly",
        InsightTypes.Optimization => "Optimization",
        InsightTypes.Prediction => "Prediction",
        _ => Words(type),
    };

    public static string TypeIcon(string type) => type switch
    {
        InsightTypes.RevenueTrend => Icons.Material.Filled.TrendingUp,
        InsightTypes.UsageAnomaly => Icons.Material.Filled.WarningAmber,
        InsightTypes.Optimization => Icons.Material.Filled.Lightbulb,
        _ => Icons.Material.Filled.Insights,
    };

    public static Color ImpactColor(string impact) => impact switch
    {
        InsightImpacts.High => Color.Error,
        InsightImpacts.Medium => Color.Warning,
        _ => Color.Info,
    };

    /// <summary>Confidence as a whole percentage (0.934 is 93).</summary>
    public static int Percent(double confidence) => (int)Math.Round(Math.Clamp(confidence, 0, 1) * 100, MidpointRounding.AwayFromZero);

    /// <summary>The top-level data points as label and value, nested values as compact JSON (at most 80 characters).</summary>
    public static IReadOnlyList<(string Label, string Value)> DataPoints(JsonElement points)
    {
        if (points.ValueKind != JsonValueKind.Object) return [];
        return points.EnumerateObject().Select(p => (Words(p.Name), Value(p.Value))).ToList();
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString("N0", CultureInfo.InvariantCulture) : value.GetDouble().ToString("0.####", CultureInfo.InvariantCulture),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null => "none",
        _ => Truncate(value.GetRawText(), 80),
    };

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary><c>adjustedP</c> and <c>idle_share</c> read "adjusted p" and "idle share".</summary>
    public static string Words(string name)
    {
        var words = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '.') words.Append(' ');
            else if (char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1])) words.Append(' ').Append(char.ToLowerInvariant(c));
            else words.Append(i == 0 ? char.ToUpperInvariant(c) : c);
        }
        return words.ToString();
    }

    /// <summary>An answer's cell as its column's type reads: money with cents, ratios as percentages, counts with separators.</summary>
    public static string Cell(QueryColumn column, object? value, string? currency)
    {
        if (ChartData.Number(value) is { } number && value is not string)
            return column.Type switch
            {
                "money" => (number.ToString("N2", CultureInfo.InvariantCulture) + " " + currency).TrimEnd(),
                "ratio" => (number * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%",
                _ => number.ToString("#,0.####", CultureInfo.InvariantCulture),
            };
        return ChartData.Text(value);
    }

    public static bool IsNumeric(QueryColumn column) => column.Type is "number" or "money" or "ratio";

    /// <summary>The typed query in words, one line per part, for the "how I read it" panel.</summary>
    public static IReadOnlyList<(string Label, string Value)> Interpreted(InsightQuery query)
    {
        var parts = new List<(string, string)> { ("Metric", Words(query.Metric)), ("Intent", Words(query.Intent)) };
        parts.Add(("Filters", query.Filters.Count == 0 ? "none" : string.Join(", ", query.Filters.Select(f => $"{Words(f.Dimension)} = {f.Value}"))));
        parts.Add(("Grouping", query.GroupBy is { } group ? Words(group) : "none"));
        parts.Add(("Time range", QueryFormat.Range(query.Time) + (query.Time.IsDefault ? " (default)" : "")));
        if (query.ComparedTo is { } compared) parts.Add(("Compared with", QueryFormat.Range(compared)));
        if (query.Ranking is { } ranking) parts.Add(("Ranking", $"{(ranking.Descending ? "top" : "bottom")} {ranking.Limit}"));
        return parts;
    }
}
