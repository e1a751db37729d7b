using System.Text.RegularExpressions;
using Intelagent.Server.Insights.Query;
using Intelagent.Server.Portal.Customer.Insights;

namespace Intelagent.Tests.Portal;

/// <summary>The question box draws an answer's chart from the answer's own table, as inline SVG.</summary>
public sealed class SvgChartTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static QueryResponse Answer(string kind, IReadOnlyList<IReadOnlyList<object?>> rows, string valueType = "number", IReadOnlyList<string>? series = null) => new(
        "How many API calls?", true, "Some.", null,
        new QueryTable([new("key", "day", "text"), new("value", "API calls", valueType), new("previous", "Previous", valueType)], rows),
        new QueryChart(kind, "key", "value", series ?? ["value"], "API calls <by day>"), null, null, "parser", "USD");

    [Fact]
    public void From_ALineAnswer_ShouldTakeLabelsAndValuesFromTheNamedColumns()
    {
        var chart = ChartData.From(Answer("line", [["2026-03-01", 10L, 1L], ["2026-03-02", 25L, 2L], ["2026-03-03", null, 3L]]))!;

        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], chart.Labels);
        Assert.Equal("API calls", chart.Series.Single().Name);
        Assert.Equal([10m, 25m, null], chart.Series.Single().Values);
        Assert.Equal("day", chart.XLabel);
        Assert.Equal("API calls", chart.YLabel);
    }

    [Fact]
    public void From_AnAnswerWithoutRowsOrATableOnlyChart_ShouldBeNull()
    {
        Assert.Null(ChartData.From(Answer("line", [])));
        Assert.Null(ChartData.From(Answer("table", [["a", 1L, 2L]])));
        Assert.Null(ChartData.From(Answer("line", [["a", 1L, 2L]]) with { Chart = null }));
    }

    [Fact]
    public void Render_ALine_ShouldDrawOnePointPerValueWithAnAccessibleTitleAndAxisLabels()
    {
        var chart = ChartData.From(Answer("line", [["2026-03-01", 10L, 1L], ["2026-03-02", 25L, 2L], ["2026-03-03", 5L, 3L]]))!;

        var svg = SvgChartRenderer.Render(chart, "c1");

        Assert.StartsWith("<svg", svg);
        Assert.Contains("role=\"img\" aria-labelledby=\"c1-title c1-desc\"", svg);
        Assert.Contains("<title id=\"c1-title\">API calls &lt;by day&gt;</title>", svg);
        Assert.Equal(["10", "25", "5"], Regex.Matches(svg, "<circle[^>]*data-value=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains(">day</text>", svg);
        Assert.Contains(">API calls</text>", svg);
        Assert.Contains("from 5 to 25", SvgChartRenderer.Describe(chart));
    }

    [Fact]
    public void Render_BarsOfTwoSeries_ShouldDrawABarPerValueTallerForTheLargerValue()
    {
        var chart = ChartData.From(Answer("bar", [["email", 40m, 10m], ["chatbot", 20m, 30m]], "money", ["value", "previous"]))!;

        var svg = SvgChartRenderer.Render(chart, "c2");

        var bars = Regex.Matches(svg, "<rect[^>]*height=\"([^\"]+)\"[^>]*data-value=\"([^\"]+)\"").Select(m => (Height: double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Value: m.Groups[2].Value)).ToList();
        Assert.Equal(["40", "20", "10", "30"], bars.Select(b => b.Value));
        Assert.Equal(2 * bars[1].Height, bars[0].Height, 0);
        Assert.Equal("API calls (USD)", chart.YLabel);
    }

    [Fact]
    public void RunningTotals_OfAWaterfall_ShouldFloatEachChangeFromTheTotalBeforeIt() =>
        Assert.Equal([(0m, 10m), (10m, 4m), (4m, 4m), (4m, 9m)], SvgChartRenderer.RunningTotals([10m, -6m, null, 5m]));

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1.3, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(230, 500)]
    public void NiceStep_ShouldBeOneTwoOrFiveTimesAPowerOfTen(double rough, double expected) => Assert.Equal(expected, SvgChartRenderer.NiceStep(rough), 9);
}
