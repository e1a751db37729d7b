using System.Diagnostics;
using System.Text.Json;
using Intelagent.Server.Insights.Query;
using Xunit.Abstractions;

namespace Intelagent.Tests.Insights;

/// <summary>
/// The question set (QueryQuestions.json): each question with the interpretation a person would
/// expect. The share the parser gets right is printed and may not fall below what it reached.
/// </summary>
public sealed class QueryQuestionSetTests(ITestOutputHelper output)
{
    /// <summary>
    /// The share reached (199 of 202); raise it when the parser improves. The set grew in three
    /// batches: 124 questions written with the parser (all right), 58 written after it and before
    /// any change for them (49 right, 84%), then 20 more (15 right, 75%) before the last fixes.
    /// </summary>
    private const double RequiredShare = 0.985;

    [Fact]
    public void QuestionSet_WhenParsed_ShouldMatchTheExpectedInterpretations()
    {
        var set = QuestionSet.Load();
        var mismatches = new List<string>();
        var watch = Stopwatch.StartNew();
        foreach (var question in set.Questions)
        {
            var result = QuestionParser.Parse(question.Text, set.Now, set.Zone);
            var problem = question.Check(result, set);
            if (problem is not null) mismatches.Add($"{question.Text}: {problem}");
        }
        watch.Stop();
        var share = 1.0 - (double)mismatches.Count / set.Questions.Count;
        output.WriteLine($"Question set: {set.Questions.Count - mismatches.Count}/{set.Questions.Count} interpreted correctly ({share:P1}); {watch.Elapsed.TotalMilliseconds / set.Questions.Count:F3} ms per question on average");
        foreach (var mismatch in mismatches) output.WriteLine("  " + mismatch);
        Assert.True(set.Questions.Count >= 100, "The set must hold at least 100 questions.");
        Assert.True(share >= RequiredShare, $"{share:P1} interpreted correctly, below {RequiredShare:P0}:\n" + string.Join("\n", mismatches));
    }
}

internal sealed record ExpectedQuestion(string Text, JsonElement Expected)
{
    public string? Check(ParseResult result, QuestionSet set)
    {
        if (Expected.TryGetProperty("unanswerable", out _))
            return result.Understood ? $"expected no answer, got {Describe(result.Query!)}" : result.Suggestions.Count == 0 ? "no suggestions" : null;
        if (result.Query is not { } query) return $"not understood: {result.CannotAnswer}";
        var problems = new List<string>();
        void Same(string field, string? actual)
        {
            if (Expected.TryGetProperty(field, out var value) && value.GetString() != actual) problems.Add($"{field} {actual ?? "null"} (expected {value.GetString()})");
        }
        Same("metric", query.Metric);
        Same("intent", query.Intent);
        Same("groupBy", query.GroupBy);
        Same("comparison", query.Comparison);
        if (Expected.TryGetProperty("time", out var time) && set.Range(time.GetString()!) != (query.Time.From, query.Time.To))
            problems.Add($"time {query.Time.From:O}..{query.Time.To:O} (expected {time.GetString()})");
        if (Expected.TryGetProperty("comparedTo", out var compared) && set.Range(compared.GetString()!) != (query.ComparedTo?.From, query.ComparedTo?.To))
            problems.Add($"comparedTo {query.ComparedTo?.From:O}..{query.ComparedTo?.To:O} (expected {compared.GetString()})");
        if (Expected.TryGetProperty("limit", out var limit) && query.Ranking?.Limit != limit.GetInt32())
            problems.Add($"limit {query.Ranking?.Limit} (expected {limit.GetInt32()})");
        if (Expected.TryGetProperty("filters", out var filters))
            foreach (var filter in filters.EnumerateObject())
                if (!query.Filters.Any(f => f.Dimension == filter.Name && f.Value == filter.Value.GetString()))
                    problems.Add($"filter {filter.Name}={filter.Value.GetString()} missing (got {string.Join(",", query.Filters)})");
        return problems.Count == 0 ? null : string.Join("; ", problems) + $" [{Describe(query)}]";
    }

    private static string Describe(InsightQuery q) => $"{q.Intent} {q.Metric} by {q.GroupBy} {q.Time.Expression} {q.Comparison}";
}

internal sealed record QuestionSet(DateTimeOffset Now, TimeZoneInfo Zone, IReadOnlyList<ExpectedQuestion> Questions)
{
    public static QuestionSet Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Locate("tests/Intelagent.Tests/Insights/QueryQuestions.json")));
        var root = document.RootElement;
        return new QuestionSet(
            root.GetProperty("now").GetDateTimeOffset(),
            TimeZoneInfo.FindSystemTimeZoneById(root.GetProperty("zone").GetString()!),
            root.GetProperty("questions").EnumerateArray().Select(q => new ExpectedQuestion(q.GetProperty("q").GetString()!, q.Clone())).ToList());
    }

    /// <summary>"2026-07-01..2026-10-01" (local dates in the set's zone) or "...now", or "now".</summary>
    public (DateTimeOffset?, DateTimeOffset?) Range(string text)
    {
        if (text == "now") return (Now, Now);
        var parts = text.Split("..");
        DateTimeOffset At(string part) => part == "now" ? Now : CalendarMath.StartOf(DateOnly.Parse(part, System.Globalization.CultureInfo.InvariantCulture), Zone);
        return (At(parts[0]), At(parts[1]));
    }

    /// <summary>The data file sits in the source tree; the tests run from bin/, a few folders below the repository root.</summary>
    public static string Locate(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(relative);
    }
}
