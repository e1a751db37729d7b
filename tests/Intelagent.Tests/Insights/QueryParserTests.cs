using System.Diagnostics;
using Intelagent.Server.Insights.Query;
using Xunit.Abstractions;

namespace Intelagent.Tests.Insights;

/// <summary>The parser on its own: the spec's examples, time zones, typos, and that it stays fast.</summary>
public sealed class QueryParserTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void Parse_WhenTheSpecsThreeExamples_ShouldGiveTheirQueries()
    {
        var growth = QuestionParser.Parse("Show me revenue growth last quarter", Now, TimeZoneInfo.Utc).Query!;
        Assert.Equal(("mrr", QueryIntents.Growth, "month"), (growth.Metric, growth.Intent, growth.GroupBy));
        Assert.Equal((new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)), (growth.Time.From, growth.Time.To));
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), growth.ComparedTo!.From);

        var risk = QuestionParser.Parse("Which customers are at risk of churning?", Now, TimeZoneInfo.Utc).Query!;
        Assert.Equal(("churn_risk", QueryIntents.Risk, "customer", 10), (risk.Metric, risk.Intent, risk.GroupBy, risk.Ranking!.Limit));

        var cost = QuestionParser.Parse("What's driving our cost increase?", Now, TimeZoneInfo.Utc).Query!;
        Assert.Equal(("cost", QueryIntents.Drivers, QueryComparisons.PreviousPeriod), (cost.Metric, cost.Intent, cost.Comparison));
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), cost.Time.From);
        Assert.Equal(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero), cost.ComparedTo!.From);
    }

    [Fact]
    public void Parse_WhenTheOrganizationIsInNewYork_ShouldStartDaysAndMonthsAtLocalMidnight()
    {
        var yesterday = QuestionParser.Parse("tickets yesterday", Now, NewYork).Query!.Time;
        Assert.Equal((new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 26, 5, 0, 0, TimeSpan.Zero)), (yesterday.From, yesterday.To));
        // Summer time: July starts at 04:00 UTC in New York.
        var july = QuestionParser.Parse("emails sent in July", Now, NewYork).Query!.Time;
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 4, 0, 0, TimeSpan.Zero), july.From);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 4, 0, 0, TimeSpan.Zero), july.To);
    }

    [Fact]
    public void Parse_WhenWordsAreMistyped_ShouldCorrectThemAndSayWhat()
    {
        var result = QuestionParser.Parse("whcih custmers are at rsik of chruning", Now, TimeZoneInfo.Utc);
        Assert.Equal("churn_risk", result.Query!.Metric);
        Assert.Contains("custmers → customers", result.Corrections);
        Assert.Equal(1, QuestionText.Distance("chrun", "churn", 2));
        Assert.Equal(3, QuestionText.Distance("there", "xyz", 2)); // gives up past the limit
    }

    [Fact]
    public void Parse_WhenTheQuestionIsAboutTheFutureOrNothingKnown_ShouldDeclineWithSuggestions()
    {
        foreach (var question in new[] { "What will revenue be next quarter?", "Tell me a joke", "", "!!!" })
        {
            var result = QuestionParser.Parse(question, Now, TimeZoneInfo.Utc);
            Assert.False(result.Understood, question);
            Assert.NotEmpty(result.Suggestions);
        }
    }

    [Fact]
    public void Parse_WhenRunThousandsOfTimes_ShouldStayFarUnderTwentyMilliseconds()
    {
        var questions = QuestionSet.Load().Questions.Select(q => q.Text).ToList();
        foreach (var question in questions) QuestionParser.Parse(question, Now, TimeZoneInfo.Utc);
        var all = new List<double>();
        var best = new List<double>();
        foreach (var question in questions)
        {
            var fastest = double.MaxValue;
            for (var round = 0; round < 5; round++)
            {
                var watch = Stopwatch.StartNew();
                QuestionParser.Parse(question, Now, TimeZoneInfo.Utc);
                var elapsed = watch.Elapsed.TotalMilliseconds;
                all.Add(elapsed);
                fastest = Math.Min(fastest, elapsed);
            }
            best.Add(fastest);
        }
        all.Sort();
        best.Sort();
        double P99(List<double> sorted) => sorted[(int)(sorted.Count * 0.99)];
        output.WriteLine($"Parser over {all.Count} parses: median {all[all.Count / 2]:F3} ms, p99 {P99(all):F3} ms; per question, best of 5: p99 {P99(best):F3} ms, max {best[^1]:F3} ms");
        // The machine is shared with other builds, so single timings include other processes' time slices;
        // the best of five is the parser's own cost. The goal (p99 < 20 ms) is measured properly by bench/.
        Assert.True(P99(best) < 20, $"p99 of the best of five: {P99(best):F3} ms");
    }
}

/// <summary>The public vocabulary page names every metric the parser knows.</summary>
public sealed class QueryVocabularyDocumentTests
{
    [Fact]
    public void VocabularyDocument_ShouldNameEveryMetricCode()
    {
        var document = File.ReadAllText(QuestionSet.Locate("docs/insights-vocabulary.md"));
        var missing = Vocabulary.Metrics.Where(m => !document.Contains($"`{m.Code}`", StringComparison.Ordinal)).Select(m => m.Code).ToList();
        Assert.True(missing.Count == 0, "Missing from docs/insights-vocabulary.md: " + string.Join(", ", missing));
    }
}
