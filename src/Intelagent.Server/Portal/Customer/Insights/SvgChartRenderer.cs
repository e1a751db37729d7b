using System.Globalization;
using System.Net;
using System.Text;

namespace Intelagent.Server.Portal.Customer.Insights;

/// <summary>
/// Draws a <see cref="ChartData"/> as one inline SVG string: axes with their labels, four value ticks,
/// at most eight category labels, a title and description for assistive technology, and a
/// <c>&lt;title&gt;</c> per mark so hovering tells the exact value. Built as text rather than Razor
/// markup because Razor takes an SVG <c>&lt;text&gt;</c> element inside a loop for its own text tag.
/// Colours are the theme's CSS variables, so they follow the palette (and its contrast).
/// </summary>
public static class SvgChartRenderer
{
    private const double Width = 640, Height = 280, Left = 64, Right = 16, Top = 16, Bottom = 56;
    private const double PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;
    private static readonly string[] Colors = ["var(--mud-palette-primary)", "var(--mud-palette-secondary)", "var(--mud-palette-tertiary)", "var(--mud-palette-info)"];

    public static string Render(ChartData chart, string id)
    {
        var (low, high) = Range(chart);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"portal-chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" data-kind=\"{Encode(chart.Kind)}\" preserveAspectRatio=\"xMidYMid meet\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{Encode(chart.Title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{Encode(Describe(chart))}</desc>");
        Axes(svg, chart, low, high);
        if (chart.Kind == ChartData.Line) Lines(svg, chart, low, high);
        else Bars(svg, chart, low, high);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The chart in one sentence, for screen readers: what is drawn, how many points, the lowest and highest.</summary>
    public static string Describe(ChartData chart)
    {
        var values = chart.Series.SelectMany(s => s.Values).OfType<decimal>().ToList();
        var extent = values.Count == 0 ? "no values" : $"from {Tick(values.Min(), chart)} to {Tick(values.Max(), chart)}";
        return $"{(chart.Kind == ChartData.Line ? "Line" : chart.Kind == ChartData.Waterfall ? "Waterfall" : "Bar")} chart of {chart.YLabel} by {chart.XLabel}, " +
            $"{chart.Labels.Count} points, {string.Join(" and ", chart.Series.Select(s => s.Name))}, {extent}.";
    }

    /// <summary>The value axis, in plot units (doubles): the values' extent widened to round ticks, always including zero.</summary>
    private static (double Low, double High) Range(ChartData chart)
    {
        var values = chart.Kind == ChartData.Waterfall ? RunningTotals(chart.Series[0].Values).SelectMany(b => new[] { b.Start, b.End }) : chart.Series.SelectMany(s => s.Values).OfType<decimal>();
        var list = values.Select(v => (double)v).ToList();
        var low = Math.Min(0, list.Count == 0 ? 0 : list.Min());
        var high = Math.Max(0, list.Count == 0 ? 1 : list.Max());
        if (high == low) high = low + 1;
        var step = NiceStep((high - low) / 4);
        return (Math.Floor(low / step) * step, Math.Ceiling(high / step) * step);
    }

    /// <summary>1, 2 or 5 times a power of ten: ticks read as round numbers.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || double.IsNaN(rough)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static double Y(decimal value, double low, double high) => Y((double)value, low, high);

    private static double Y(double value, double low, double high) => Top + PlotHeight - (value - low) / (high - low) * PlotHeight;

    private static void Axes(StringBuilder svg, ChartData chart, double low, double high)
    {
        for (var i = 0; i <= 4; i++)
        {
            var value = low + (high - low) * i / 4;
            var y = Y(value, low, high);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"portal-chart-grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"portal-chart-tick\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Encode(Tick(Value(value), chart))}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"portal-chart-axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" />");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"portal-chart-axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(Math.Max(low, 0), low, high):0.#}\" y2=\"{Y(Math.Max(low, 0), low, high):0.#}\" />");
        var every = Math.Max(1, (int)Math.Ceiling(chart.Labels.Count / 8.0));
        for (var i = 0; i < chart.Labels.Count; i++)
        {
            // Every n-th label, and the last only when it does not crowd the one before it.
            if (i % every != 0 && (i != chart.Labels.Count - 1 || i % every < every * 0.7)) continue;
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"portal-chart-tick\" x=\"{X(i, chart.Labels.Count, chart.Kind):0.#}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{Encode(Short(chart.Labels[i]))}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"portal-chart-label\" x=\"{Left + PlotWidth / 2:0.#}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Encode(chart.XLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"portal-chart-label\" x=\"14\" y=\"{Top + PlotHeight / 2:0.#}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + PlotHeight / 2:0.#})\">{Encode(chart.YLabel)}</text>");
    }

    private static double X(int index, int count, string kind) => kind == ChartData.Line
        ? Left + (count == 1 ? PlotWidth / 2 : PlotWidth * index / (count - 1))
        : Left + PlotWidth * (index + 0.5) / count;

    private static void Lines(StringBuilder svg, ChartData chart, double low, double high)
    {
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            var points = series.Values.Select((v, i) => (v, i)).Where(p => p.v is not null)
                .Select(p => (X: X(p.i, chart.Labels.Count, ChartData.Line), Y: Y(p.v!.Value, low, high), p.i, Value: p.v!.Value)).ToList();
            var color = Colors[s % Colors.Length];
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"portal-chart-line\" fill=\"none\" style=\"stroke:{color}\" points=\"{string.Join(" ", points.Select(p => FormattableString.Invariant($"{p.X:0.#},{p.Y:0.#}")))}\" />");
            foreach (var point in points)
                svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"portal-chart-point\" cx=\"{point.X:0.#}\" cy=\"{point.Y:0.#}\" r=\"3\" style=\"fill:{color}\" data-value=\"{point.Value.ToString(CultureInfo.InvariantCulture)}\"><title>{Encode($"{chart.Labels[point.i]}: {Tick(point.Value, chart)} ({series.Name})")}</title></circle>");
        }
    }

    private static void Bars(StringBuilder svg, ChartData chart, double low, double high)
    {
        var slot = PlotWidth / Math.Max(1, chart.Labels.Count);
        var waterfall = chart.Kind == ChartData.Waterfall;
        var seriesCount = waterfall ? 1 : chart.Series.Count;
        var barWidth = Math.Max(2, slot * 0.7 / seriesCount);
        var steps = waterfall ? RunningTotals(chart.Series[0].Values) : [];
        for (var s = 0; s < seriesCount; s++)
        {
            var series = chart.Series[s];
            for (var i = 0; i < chart.Labels.Count; i++)
            {
                if (series.Values[i] is not { } value) continue;
                var (from, to) = waterfall ? (steps[i].Start, steps[i].End) : (0m, value);
                var top = Y(Math.Max(from, to), low, high);
                var height = Math.Max(1, Math.Abs(Y(from, low, high) - Y(to, low, high)));
                var x = Left + slot * i + slot * 0.15 + barWidth * s;
                var color = waterfall ? (value >= 0 ? "var(--mud-palette-error)" : "var(--mud-palette-success)") : Colors[s % Colors.Length];
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"portal-chart-bar\" x=\"{x:0.#}\" y=\"{top:0.#}\" width=\"{barWidth:0.#}\" height=\"{height:0.#}\" style=\"fill:{color}\" data-value=\"{value.ToString(CultureInfo.InvariantCulture)}\"><title>{Encode($"{chart.Labels[i]}: {Tick(value, chart)} ({series.Name})")}</title></rect>");
            }
        }
    }

    /// <summary>Each change of a waterfall floats from the running total before it to the one after it.</summary>
    public static List<(decimal Start, decimal End)> RunningTotals(IReadOnlyList<decimal?> changes)
    {
        var total = 0m;
        var steps = new List<(decimal, decimal)>(changes.Count);
        foreach (var change in changes)
        {
            var start = total;
            total += change ?? 0;
            steps.Add((start, total));
        }
        return steps;
    }

    /// <summary>A tick's plot position back as a value to label (ticks are round numbers, well inside decimal's range).</summary>
    private static decimal Value(double position) => double.IsFinite(position) && Math.Abs(position) < 7.9e28 ? Math.Round((decimal)position, 10) : 0m;

    public static string Tick(decimal value, ChartData chart) => chart.Unit switch
    {
        "ratio" => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%",
        "money" => Compact(value),
        _ => Compact(value),
    };

    /// <summary>Decimal multiples (k, M, B) as elsewhere in the portal.</summary>
    private static string Compact(decimal value)
    {
        var magnitude = Math.Abs(value);
        return magnitude >= 1_000_000_000m ? (value / 1_000_000_000m).ToString("0.#", CultureInfo.InvariantCulture) + "B"
            : magnitude >= 1_000_000m ? (value / 1_000_000m).ToString("0.#", CultureInfo.InvariantCulture) + "M"
            : magnitude >= 10_000m ? (value / 1_000m).ToString("0.#", CultureInfo.InvariantCulture) + "k"
            : value.ToString("#,0.##", CultureInfo.InvariantCulture);
    }

    private static string Short(string label) => label.Length > 12 ? label[..11] + "…" : label;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
