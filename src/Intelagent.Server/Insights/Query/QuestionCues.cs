using System.Collections.Frozen;

namespace Intelagent.Server.Insights.Query;

/// <summary>The words that tell what kind of answer a question wants.</summary>
public static class QuestionCues
{
    public static readonly FrozenSet<string> Growth = Set("growth", "grow", "grown", "growing", "grew", "increase", "increased", "increasing", "decrease", "decreased", "decline", "declined", "change", "changed", "changes", "rise", "rose", "drop", "dropped", "fall", "fell", "gain", "gains");
    public static readonly FrozenSet<string> Trend = Set("trend", "trends", "trending", "history", "historical", "evolution", "evolve", "evolved", "timeline", "chart", "graph", "plot", "series");
    public static readonly FrozenSet<string> Drivers = Set("driving", "drives", "drive", "driver", "drivers", "drove", "caused", "causing", "cause", "causes", "why", "explain", "explains", "behind", "reason", "reasons", "contributing", "contributed", "contributors", "responsible");
    public static readonly FrozenSet<string> RankingTop = Set("top", "best", "biggest", "largest", "most", "highest", "heaviest", "leading", "rank", "ranking", "ranked", "leaderboard", "greatest", "more");
    public static readonly FrozenSet<string> RankingBottom = Set("bottom", "least", "lowest", "smallest", "fewest", "worst");
    public static readonly FrozenSet<string> Breakdown = Set("breakdown", "break", "broken", "split", "distribution", "distributed", "mix", "segment", "segmented");
    public static readonly FrozenSet<string> GroupMarkers = Set("by", "per", "each", "across", "every");
    public static readonly FrozenSet<string> Compare = Set("compare", "compared", "comparison", "comparing", "vs", "versus", "against", "relative");
    public static readonly FrozenSet<string> Which = Set("which", "who", "whom", "what");

    /// <summary>"Month over month" and friends, as the token sequences that name them.</summary>
    public static readonly (string[] Tokens, string Comparison)[] ComparisonPhrases =
    [
        (["month", "over", "month"], QueryComparisons.MonthOverMonth), (["month", "on", "month"], QueryComparisons.MonthOverMonth), (["mom"], QueryComparisons.MonthOverMonth),
        (["year", "over", "year"], QueryComparisons.YearOverYear), (["year", "on", "year"], QueryComparisons.YearOverYear), (["yoy"], QueryComparisons.YearOverYear),
        (["quarter", "over", "quarter"], QueryComparisons.QuarterOverQuarter), (["quarter", "on", "quarter"], QueryComparisons.QuarterOverQuarter), (["qoq"], QueryComparisons.QuarterOverQuarter),
        (["week", "over", "week"], QueryComparisons.WeekOverWeek), (["week", "on", "week"], QueryComparisons.WeekOverWeek), (["wow"], QueryComparisons.WeekOverWeek),
        (["previous", "period"], QueryComparisons.PreviousPeriod), (["prior", "period"], QueryComparisons.PreviousPeriod),
        (["same", "period", "last", "year"], QueryComparisons.YearOverYear),
    ];

    /// <summary>Words that are not worth correcting (common English), so "there" never becomes "three".</summary>
    public static readonly FrozenSet<string> StopWords = Set(
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "per", "with", "and", "or", "is", "are", "was", "were", "be", "been",
        "do", "does", "did", "done", "have", "has", "had", "me", "my", "our", "we", "us", "you", "your", "i", "it", "its", "this", "that", "these",
        "those", "there", "their", "them", "they", "what", "whats", "which", "who", "how", "show", "tell", "give", "list", "get", "see", "find",
        "many", "much", "so", "far", "over", "about", "please", "can", "could", "would", "should", "all", "any", "some", "same", "up", "down",
        "value", "values", "number", "total", "amount", "current", "currently", "now", "look", "like", "where", "when", "than", "into", "out", "whom",
        "here", "hi", "hello", "thanks", "weather", "joke", "story", "tomorrow", "whose", "going", "been", "being", "am", "not", "no", "yes", "why");

    public static IEnumerable<string> Words =>
        Growth.Concat(Trend).Concat(Drivers).Concat(RankingTop).Concat(RankingBottom).Concat(Breakdown).Concat(GroupMarkers).Concat(Compare)
            .Concat(ComparisonPhrases.SelectMany(p => p.Tokens));

    private static FrozenSet<string> Set(params string[] words) => words.ToFrozenSet(StringComparer.Ordinal);
}
