using static Intelagent.Server.Insights.Query.QueryDimensions;

namespace Intelagent.Server.Insights.Query;

/// <summary>What the parser understood, or why it could not, with questions it can answer.</summary>
public sealed record ParseResult(InsightQuery? Query, string? CannotAnswer, IReadOnlyList<string> Suggestions, IReadOnlyList<string> Corrections)
{
    public bool Understood => Query is not null;
}

/// <summary>
/// The embedded interpreter: a pure function from a question, the clock's now and the
/// organization's time zone to a typed query. No database, no network; a question is read in a few
/// passes over its tokens: named customer, typo correction, comparison phrases, strong metric
/// phrases, "by/per X" groupings, weak metric phrases ("customers"), time expressions, filters and
/// intent cues. Longest phrases win at each position.
/// </summary>
public static class QuestionParser
{
    public const int MaxLength = 500;

    private static readonly (string[] Tokens, MetricDefinition Metric)[] StrongPhrases = Phrases(weak: false);
    private static readonly (string[] Tokens, MetricDefinition Metric)[] WeakPhrases = Phrases(weak: true);
    private static readonly (string[] Tokens, string Dimension)[] Dimensions =
        Vocabulary.DimensionPhrases.Select(d => (d.Phrase.Split(' '), d.Dimension)).OrderByDescending(d => d.Item1.Length).ToArray();

    public static ParseResult Parse(string question, DateTimeOffset now, TimeZoneInfo zone)
    {
        var text = question.Length > MaxLength ? question[..MaxLength] : question;
        var customer = QuestionText.ExtractCustomer(ref text);
        var tokens = QuestionText.Tokenize(text);
        if (tokens.Length == 0) return Unanswerable("The question is empty.", []);
        var corrections = QuestionText.Correct(tokens);
        var consumed = new bool[tokens.Length];

        string? comparison = FindComparison(tokens, consumed);
        var strong = FindMetrics(tokens, consumed, StrongPhrases);
        var groupBy = FindGrouping(tokens, consumed);
        var weak = FindMetrics(tokens, consumed, WeakPhrases);
        var times = TimeExpressions.FindAll(tokens, consumed, now, zone);
        var filters = new List<QueryFilter>(2);
        if (customer is not null) filters.Add(new QueryFilter(Customer, customer));
        string? productFilter = null;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (consumed[i]) continue;
            if (Vocabulary.Tiers.TryGetValue(tokens[i], out var tier) && !filters.Exists(f => f.Dimension == Tier)) filters.Add(new QueryFilter(Tier, tier));
            else if (Vocabulary.Products.TryGetValue(tokens[i], out var product) && productFilter is null) productFilter = product;
        }

        var metric = strong.Count > 0 ? strong[0] : weak.Count > 0 ? weak[0] : null;
        if (strong.Count > 0 && weak.Count > 0 && groupBy is null) groupBy = Customer; // "top customers by API calls"
        if (metric is null && Has(tokens, "risk")) metric = Vocabulary.ByCode["churn_risk"];
        if (metric is null && productFilter is not null)
        {
            metric = Vocabulary.ByCode[productFilter switch { "chatbot" => "conversations", "email" => "emails_sent", _ => "leads_enriched" }];
            productFilter = null;
        }
        foreach (var (code, word, narrowed) in Vocabulary.Qualifiers)
            if (metric?.Code == code && Has(tokens, word)) metric = Vocabulary.ByCode[narrowed];
        if (metric is not null && Vocabulary.RateOfCount.TryGetValue(metric.Code, out var rate) && ContainsAny(tokens, Vocabulary.RateWords)) metric = Vocabulary.ByCode[rate];
        // Churn risk is a prediction the platform already makes; any other question about the future is not ours to guess.
        if (metric?.Family != MetricFamily.ChurnRisk && ContainsAny(tokens, TimeExpressions.FutureWords))
            return Unanswerable("I answer questions about what has happened; forecasts and predictions are on the predictions page (GET /api/ai/predictions).", corrections);
        if (metric is null)
            return Unanswerable("I could not find a metric I know in that question.", corrections);
        if (productFilter is not null && metric.Family is MetricFamily.Cost or MetricFamily.Finance or MetricFamily.Usage)
            filters.Add(new QueryFilter(Product, productFilter));

        // "Best time / day to send" is about engagement by send hour or weekday.
        if (HasAny(tokens, "send", "sent", "sending") && (HasAny(tokens, "best", "when", "time", "hour") || groupBy is Hour or Weekday) && metric.Code is "emails_sent")
        {
            metric = Vocabulary.ByCode["open_rate"];
            groupBy ??= Has(tokens, "day") || Has(tokens, "weekday") ? Weekday : Hour;
        }
        groupBy ??= WhichDimension(tokens);

        var descending = !ContainsAny(tokens, QuestionCues.RankingBottom);
        var ranked = ContainsAny(tokens, QuestionCues.RankingTop) || !descending || (HasAny(tokens, "which", "who") && groupBy is not null && !IsTime(groupBy));
        var intent = metric.Family == MetricFamily.ChurnRisk ? QueryIntents.Risk
            : ContainsAny(tokens, QuestionCues.Drivers) && metric.Family is MetricFamily.Cost or MetricFamily.Finance ? QueryIntents.Drivers
            : comparison is not null || (ContainsAny(tokens, QuestionCues.Compare) && groupBy is null) ? QueryIntents.Comparison
            : ranked && !(groupBy is not null && IsTime(groupBy)) ? QueryIntents.Ranking
            : groupBy is not null && !IsTime(groupBy) ? QueryIntents.Breakdown
            : ContainsAny(tokens, QuestionCues.Growth) ? QueryIntents.Growth
            : ContainsAny(tokens, QuestionCues.Trend) || groupBy is not null ? QueryIntents.Trend
            : QueryIntents.Value;
        if (intent == QueryIntents.Ranking) groupBy ??= metric.Groupings.Contains(Customer) ? Customer : Product;
        if (intent == QueryIntents.Risk) groupBy = Customer;
        if (intent == QueryIntents.Drivers) groupBy = null;
        if (intent == QueryIntents.Comparison) comparison ??= QueryComparisons.PreviousPeriod;

        if (groupBy is not null && !metric.Groupings.Contains(groupBy))
            return Unanswerable($"{metric.Label} cannot be split by {groupBy}; it can be by {string.Join(", ", metric.Groupings)}.", corrections);

        var time = times.Count > 0 ? times[0].Range : QueryDefaults.TimeFor(metric, intent, comparison, now, zone);
        QueryTimeRange? comparedTo = null;
        if (times.Count == 1 && times[0].Start > 0 && (QuestionCues.Compare.Contains(tokens[times[0].Start - 1]) || tokens[times[0].Start - 1] is "to" or "than" or "with"))
        {
            // "leads vs last month": the one time named is what to compare with; the question is about the period after it, to now.
            comparedTo = times[0].Range;
            var length = comparedTo.To - comparedTo.From;
            time = new QueryTimeRange(comparedTo.To, comparedTo.To + length < now ? comparedTo.To + length : now, "the period since");
            comparison ??= QueryComparisons.PreviousPeriod;
            if (intent is not (QueryIntents.Growth or QueryIntents.Drivers)) intent = QueryIntents.Comparison;
        }
        if (comparedTo is null && times.Count > 1 && intent is QueryIntents.Comparison or QueryIntents.Drivers or QueryIntents.Growth)
        {
            comparedTo = times[1].Range;
            comparison ??= QueryComparisons.PreviousPeriod;
        }
        if (intent is QueryIntents.Growth or QueryIntents.Drivers) comparison ??= QueryComparisons.PreviousPeriod;
        if (metric.Family is MetricFamily.ChurnRisk or MetricFamily.Members) comparison = null;
        comparedTo ??= comparison is null ? null : QueryDefaults.ComparedTo(time, comparison, zone);
        if ((intent is QueryIntents.Growth or QueryIntents.Trend) && groupBy is null) groupBy = QueryDefaults.TimeGrouping(metric, time);

        var ranking = intent is QueryIntents.Ranking or QueryIntents.Risk ? new QueryRanking(RankLimit(tokens), descending) : null;
        return new ParseResult(new InsightQuery(intent, metric.Code, filters, groupBy, time, comparison, comparedTo, ranking), null, [], corrections);
    }

    public static ParseResult Unanswerable(string reason, IReadOnlyList<string> corrections) =>
        new(null, reason + " Try one of the suggested questions.", QueryDefaults.Suggestions, corrections);

    private static string? FindComparison(string[] tokens, bool[] consumed)
    {
        foreach (var (phrase, comparison) in QuestionCues.ComparisonPhrases)
        {
            var at = IndexOf(tokens, consumed, phrase);
            if (at < 0) continue;
            for (var k = 0; k < phrase.Length; k++) consumed[at + k] = true;
            return comparison;
        }
        return null;
    }

    private static List<MetricDefinition> FindMetrics(string[] tokens, bool[] consumed, (string[] Tokens, MetricDefinition Metric)[] phrases)
    {
        var found = new List<MetricDefinition>(2);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (consumed[i]) continue;
            foreach (var (phrase, metric) in phrases)
            {
                if (!MatchesAt(tokens, consumed, i, phrase)) continue;
                for (var k = 0; k < phrase.Length; k++) consumed[i + k] = true;
                if (!found.Contains(metric)) found.Add(metric);
                i += phrase.Length - 1;
                break;
            }
        }
        return found;
    }

    private static string? FindGrouping(string[] tokens, bool[] consumed)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            if (consumed[i]) continue;
            var adjective = tokens[i] switch { "daily" => Day, "weekly" => Week, "monthly" => Month, "quarterly" => Quarter, "hourly" => Hour, _ => null };
            if (adjective is not null) { consumed[i] = true; return adjective; }
            if (!QuestionCues.GroupMarkers.Contains(tokens[i])) continue;
            if (tokens[i] is "each" or "every" && EachOfTheLast(tokens, i + 1) is { } unit) return unit;
            var start = i + 1;
            while (start < tokens.Length && tokens[start] is "the" or "each" or "every" or "down" or "by") start++;
            foreach (var (phrase, dimension) in Dimensions)
            {
                if (!MatchesAt(tokens, consumed, start, phrase)) continue;
                for (var k = i; k < start + phrase.Length; k++) consumed[k] = true;
                return dimension;
            }
        }
        return null;
    }

    /// <summary>"each of the last 6 months": the unit is the grouping; the time expression stays for the time pass.</summary>
    private static string? EachOfTheLast(string[] tokens, int at)
    {
        while (at < tokens.Length && (tokens[at] is "of" or "the" or "last" or "past" or "previous" or "trailing" || int.TryParse(tokens[at], out _) || TimeExpressions.IsNumberWord(tokens[at], out _))) at++;
        if (at >= tokens.Length) return null;
        return tokens[at] switch { "day" or "days" => Day, "week" or "weeks" => Week, "month" or "months" => Month, "quarter" or "quarters" => Quarter, _ => null };
    }

    /// <summary>"Which product ...", "what day ...", "what time ...": the dimension the answer is a member of.</summary>
    private static string? WhichDimension(string[] tokens)
    {
        for (var i = 0; i + 1 < tokens.Length; i++)
        {
            var ranking = QuestionCues.RankingTop.Contains(tokens[i]) || QuestionCues.RankingBottom.Contains(tokens[i]);
            if (!QuestionCues.Which.Contains(tokens[i]) && !ranking) continue;
            var after = i + 1;
            // "top 5 products", "bottom three tiers": skip the count.
            if (ranking && after + 1 < tokens.Length && (int.TryParse(tokens[after], out _) || TimeExpressions.IsNumberWord(tokens[after], out _))) after++;
            var next = tokens[after];
            if (ranking && next is "day" or "time" or "hour") continue;
            if (next is "day" or "weekday") return Weekday;
            if (next is "time" or "hour") return Hour;
            foreach (var (phrase, dimension) in Dimensions)
                if (phrase.Length == 1 && phrase[0] == next && !IsTime(dimension)) return dimension;
        }
        return null;
    }

    private static int RankLimit(string[] tokens)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            var number = int.TryParse(tokens[i], out var n) ? n : TimeExpressions.IsNumberWord(tokens[i], out var w) ? w : 0;
            if (number <= 0) continue;
            var nearRank = (i > 0 && (QuestionCues.RankingTop.Contains(tokens[i - 1]) || QuestionCues.RankingBottom.Contains(tokens[i - 1])))
                || (i + 1 < tokens.Length && !TimeExpressions.IsNumberWord(tokens[i + 1], out _) && tokens[i + 1] is not ("days" or "weeks" or "months" or "years" or "quarters" or "day"));
            if (nearRank && (i == 0 || tokens[i - 1] is not ("last" or "past" or "previous" or "trailing"))) return Math.Clamp(number, 1, 50);
        }
        return 10;
    }

    private static (string[] Tokens, MetricDefinition Metric)[] Phrases(bool weak) =>
        Vocabulary.Metrics.Where(m => m.Weak == weak).SelectMany(m => m.Phrases.Select(p => (p.Split(' '), m)))
            .OrderByDescending(p => p.Item1.Length).ToArray();

    private static bool MatchesAt(string[] tokens, bool[] consumed, int at, string[] phrase)
    {
        if (at + phrase.Length > tokens.Length) return false;
        for (var k = 0; k < phrase.Length; k++)
            if (consumed[at + k] || !string.Equals(tokens[at + k], phrase[k], StringComparison.Ordinal)) return false;
        return true;
    }

    private static int IndexOf(string[] tokens, bool[] consumed, string[] phrase)
    {
        for (var i = 0; i + phrase.Length <= tokens.Length; i++)
            if (MatchesAt(tokens, consumed, i, phrase)) return i;
        return -1;
    }

    private static bool Has(string[] tokens, string word) => Array.IndexOf(tokens, word) >= 0;

    private static bool HasAny(string[] tokens, params ReadOnlySpan<string> words)
    {
        foreach (var word in words) if (Has(tokens, word)) return true;
        return false;
    }

    private static bool ContainsAny(string[] tokens, IReadOnlySet<string> words)
    {
        foreach (var token in tokens) if (words.Contains(token)) return true;
        return false;
    }
}
