using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// The language model's side of the typed query: the JSON schema of the one tool it must call, and
/// the checked mapping from the call's arguments to an <see cref="InsightQuery"/>. Every code is an
/// enum in the schema, and checked again here, since a model may still send anything.
/// </summary>
public static class QueryToolArguments
{
    public const string ToolName = "run_insight_query";

    public const string ToolDescription =
        "Runs a query over the platform's metrics. Call it exactly once with the interpretation of the user's question. " +
        "Set answerable=false with a reason when the question is not about these metrics or asks about the future.";

    private static readonly string[] FilterDimensions = [QueryDimensions.Product, QueryDimensions.Customer, QueryDimensions.Tier];

    public static JsonElement Schema { get; } = BuildSchema();

    private static JsonElement BuildSchema()
    {
        static JsonArray Enum(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["answerable"] = new JsonObject { ["type"] = "boolean", ["description"] = "False when no metric below answers the question." },
                ["reason"] = new JsonObject { ["type"] = "string", ["description"] = "Why the question cannot be answered, when answerable is false." },
                ["intent"] = new JsonObject { ["type"] = "string", ["enum"] = Enum(QueryIntents.All) },
                ["metric"] = new JsonObject
                {
                    ["type"] = "string",
                    ["enum"] = Enum(Vocabulary.Metrics.Select(m => m.Code)),
                    ["description"] = string.Join("; ", Vocabulary.Metrics.Select(m => $"{m.Code}: {m.Label}"))
                },
                ["groupBy"] = new JsonObject { ["type"] = "string", ["enum"] = Enum(QueryDimensions.All) },
                ["filters"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject { ["dimension"] = new JsonObject { ["type"] = "string", ["enum"] = Enum(FilterDimensions) }, ["value"] = new JsonObject { ["type"] = "string" } },
                        ["required"] = new JsonArray("dimension", "value"),
                    },
                },
                ["from"] = new JsonObject { ["type"] = "string", ["format"] = "date", ["description"] = "First local day of the range (yyyy-MM-dd)." },
                ["to"] = new JsonObject { ["type"] = "string", ["format"] = "date", ["description"] = "The local day after the range (exclusive, yyyy-MM-dd); omit for 'until now'." },
                ["timeExpression"] = new JsonObject { ["type"] = "string", ["description"] = "The question's words for the time, e.g. 'last quarter'." },
                ["comparison"] = new JsonObject { ["type"] = "string", ["enum"] = Enum(QueryComparisons.All) },
                ["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 50 },
                ["order"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("top", "bottom") },
            },
            ["required"] = new JsonArray("answerable", "intent", "metric"),
        };
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>The arguments of a tool call as a typed query, or why they cannot be one.</summary>
    public static ParseResult ToQuery(IDictionary<string, object?>? arguments, DateTimeOffset now, TimeZoneInfo zone)
    {
        var args = arguments ?? new Dictionary<string, object?>();
        string? Text(string name) => args.TryGetValue(name, out var value) && value is not null ? Element(value) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null : null;
        var errors = new List<string>();

        if (args.TryGetValue("answerable", out var answerable) && answerable is not null && Element(answerable).ValueKind == JsonValueKind.False)
            return QuestionParser.Unanswerable(Text("reason") ?? "The question is not about the metrics I know.", []);
        var intent = Text("intent");
        var metricCode = Text("metric");
        if (intent is null || !QueryIntents.All.Contains(intent)) errors.Add($"intent '{intent}' is not one of {string.Join(", ", QueryIntents.All)}");
        if (metricCode is null || !Vocabulary.ByCode.TryGetValue(metricCode, out var metric)) { errors.Add($"metric '{metricCode}' is unknown"); metric = null; }
        var groupBy = Text("groupBy");
        if (groupBy is not null && (!QueryDimensions.All.Contains(groupBy) || (metric is not null && !metric.Groupings.Contains(groupBy))))
            errors.Add($"groupBy '{groupBy}' is not available for {metricCode}");
        var comparison = Text("comparison");
        if (comparison is not null && !QueryComparisons.All.Contains(comparison)) errors.Add($"comparison '{comparison}' is unknown");

        var filters = new List<QueryFilter>();
        if (args.TryGetValue("filters", out var rawFilters) && rawFilters is not null && Element(rawFilters) is { ValueKind: JsonValueKind.Array } list)
            foreach (var item in list.EnumerateArray())
            {
                var dimension = item.TryGetProperty("dimension", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                var value = item.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()?.Trim() : null;
                if (dimension is null || !FilterDimensions.Contains(dimension) || string.IsNullOrEmpty(value) || value.Length > 100) errors.Add("a filter needs a dimension (product, customer, tier) and a value of at most 100 characters");
                else filters.Add(new QueryFilter(dimension, dimension == QueryDimensions.Customer ? value : value.ToLowerInvariant()));
            }

        int? limit = null;
        if (args.TryGetValue("limit", out var rawLimit) && rawLimit is not null)
        {
            if (Element(rawLimit) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var l) && l is >= 1 and <= 50) limit = l;
            else errors.Add("limit must be a whole number from 1 to 50");
        }
        var time = TimeRange(Text("from"), Text("to"), Text("timeExpression"), now, zone, errors);
        if (errors.Count > 0 || metric is null) return new ParseResult(null, "The interpretation was not valid: " + string.Join("; ", errors) + ".", QueryDefaults.Suggestions, []);

        time ??= QueryDefaults.TimeFor(metric, intent!, comparison, now, zone);
        if (intent is QueryIntents.Growth or QueryIntents.Drivers or QueryIntents.Comparison) comparison ??= QueryComparisons.PreviousPeriod;
        if (intent is QueryIntents.Growth or QueryIntents.Trend) groupBy ??= QueryDefaults.TimeGrouping(metric, time);
        var ranking = intent is QueryIntents.Ranking or QueryIntents.Risk ? new QueryRanking(limit ?? 10, Text("order") != "bottom") : null;
        if (intent == QueryIntents.Ranking) groupBy ??= metric.Groupings.Contains(QueryDimensions.Customer) ? QueryDimensions.Customer : metric.Groupings[0];
        var comparedTo = comparison is null ? null : QueryDefaults.ComparedTo(time, comparison, zone);
        return new ParseResult(new InsightQuery(intent!, metric.Code, filters, groupBy, time, comparison, comparedTo, ranking), null, [], []);
    }

    private static QueryTimeRange? TimeRange(string? from, string? to, string? expression, DateTimeOffset now, TimeZoneInfo zone, List<string> errors)
    {
        if (from is null)
        {
            if (expression is null) return null;
            var tokens = QuestionText.Tokenize(expression);
            var found = TimeExpressions.FindAll(tokens, new bool[tokens.Length], now, zone);
            return found.Count > 0 ? found[0].Range : null;
        }
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)) { errors.Add("from must be a date as yyyy-MM-dd"); return null; }
        var end = (DateOnly?)null;
        if (to is not null)
        {
            if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) { errors.Add("to must be a date as yyyy-MM-dd"); return null; }
            end = parsed;
        }
        var fromInstant = CalendarMath.StartOf(start, zone);
        var toInstant = end is { } e ? CalendarMath.StartOf(e, zone) : now;
        if (toInstant > now) toInstant = now;
        if (fromInstant >= toInstant) { errors.Add("from must be before to, and not in the future"); return null; }
        return new QueryTimeRange(fromInstant, toInstant, expression ?? $"{from} to {to ?? "now"}");
    }

    private static JsonElement Element(object value) => value as JsonElement? ?? JsonSerializer.SerializeToElement(value);
}
