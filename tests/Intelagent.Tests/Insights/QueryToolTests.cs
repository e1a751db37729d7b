using System.Runtime.CompilerServices;
using System.Text.Json;
using Intelagent.Server.Insights.Query;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intelagent.Tests.Insights;

/// <summary>
/// The language-model interpreter's wiring, without the network: the tool's schema, the mapping
/// from a tool call's arguments to the typed query, the refusal of bad arguments, and the fall-back
/// to the parser when the model fails.
/// </summary>
public sealed class QueryToolTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, object?> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(p => p.Key, p => (object?)p.Value);

    [Fact]
    public void Schema_ShouldOfferEveryMetricIntentAndDimensionAsEnums()
    {
        var properties = QueryToolArguments.Schema.GetProperty("properties");
        var metrics = properties.GetProperty("metric").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(Vocabulary.Metrics.Select(m => m.Code), metrics);
        Assert.Equal(QueryIntents.All, properties.GetProperty("intent").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(QueryDimensions.All, properties.GetProperty("groupBy").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["answerable", "intent", "metric"], QueryToolArguments.Schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(QueryToolArguments.ToolName, LanguageModelInterpreter.Tool.Name);
        Assert.Equal("object", LanguageModelInterpreter.Tool.JsonSchema.GetProperty("type").GetString());
    }

    [Fact]
    public void ToQuery_WhenTheArgumentsAreValid_ShouldGiveTheSameQueryAsTheParser()
    {
        var mapped = QueryToolArguments.ToQuery(Arguments("""{"answerable":true,"intent":"growth","metric":"mrr","from":"2026-07-01","to":"2026-10-01","timeExpression":"last quarter"}"""), Now, TimeZoneInfo.Utc);
        var parsed = QuestionParser.Parse("Show me revenue growth last quarter", Now, TimeZoneInfo.Utc);
        Assert.Equal(parsed.Query, mapped.Query! with { Filters = parsed.Query!.Filters });
        Assert.Empty(mapped.Query.Filters);

        var ranking = QueryToolArguments.ToQuery(Arguments("""{"answerable":true,"intent":"ranking","metric":"api_calls","limit":5,"order":"bottom","filters":[{"dimension":"tier","value":"Pro"}],"timeExpression":"past 30 days"}"""), Now, TimeZoneInfo.Utc).Query!;
        Assert.Equal((QueryDimensions.Customer, 5, false), (ranking.GroupBy, ranking.Ranking!.Limit, ranking.Ranking.Descending));
        Assert.Equal(new QueryFilter("tier", "pro"), Assert.Single(ranking.Filters));
        Assert.Equal(new DateTimeOffset(2026, 10, 28, 0, 0, 0, TimeSpan.Zero), ranking.Time.From);
    }

    [Theory]
    [InlineData("""{"answerable":true,"intent":"value","metric":"weather"}""", "metric 'weather' is unknown")]
    [InlineData("""{"answerable":true,"intent":"guess","metric":"mrr"}""", "intent 'guess'")]
    [InlineData("""{"answerable":true,"intent":"breakdown","metric":"churn_rate","groupBy":"hour"}""", "groupBy 'hour' is not available")]
    [InlineData("""{"answerable":true,"intent":"ranking","metric":"mrr","limit":500}""", "limit must be")]
    [InlineData("""{"answerable":true,"intent":"value","metric":"mrr","from":"2026-13-01"}""", "from must be a date")]
    [InlineData("""{"answerable":true,"intent":"value","metric":"mrr","from":"2027-01-01"}""", "not in the future")]
    [InlineData("""{"answerable":true,"intent":"value","metric":"mrr","filters":[{"dimension":"planet","value":"Mars"}]}""", "a filter needs")]
    public void ToQuery_WhenAnArgumentIsInvalid_ShouldRefuseAndSayWhich(string json, string expected)
    {
        var result = QueryToolArguments.ToQuery(Arguments(json), Now, TimeZoneInfo.Utc);
        Assert.False(result.Understood);
        Assert.Contains(expected, result.CannotAnswer);
    }

    [Fact]
    public void ToQuery_WhenTheModelSaysItCannotAnswer_ShouldPassItsReasonOn()
    {
        var result = QueryToolArguments.ToQuery(Arguments("""{"answerable":false,"intent":"value","metric":"mrr","reason":"The weather is not a metric."}"""), Now, TimeZoneInfo.Utc);
        Assert.StartsWith("The weather is not a metric.", result.CannotAnswer);
        Assert.NotEmpty(result.Suggestions);
    }

    [Fact]
    public async Task Interpret_WhenTheModelCallsTheTool_ShouldUseItsQueryAndOtherwiseFallBackToTheParser()
    {
        var call = new FunctionCallContent("call-1", QueryToolArguments.ToolName, Arguments("""{"answerable":true,"intent":"risk","metric":"churn_risk"}"""));
        var model = new ScriptedChatClient(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
        var (result, interpreter) = await new LanguageModelInterpreter(model, NullLogger<LanguageModelInterpreter>.Instance).InterpretAsync("who may leave us", Now, TimeZoneInfo.Utc, CancellationToken.None);
        Assert.Equal(("language-model", "churn_risk", QueryIntents.Risk), (interpreter, result.Query!.Metric, result.Query.Intent));
        var options = model.Options!;
        Assert.Equal(QueryToolArguments.ToolName, ((RequiredChatToolMode)options.ToolMode!).RequiredFunctionName);
        Assert.Contains("2026-11-26", model.Messages![0].Text);

        var failing = new ScriptedChatClient(null);
        var (fallback, name) = await new LanguageModelInterpreter(failing, NullLogger<LanguageModelInterpreter>.Instance).InterpretAsync("What's driving our cost increase?", Now, TimeZoneInfo.Utc, CancellationToken.None);
        Assert.Equal(("parser", "cost", QueryIntents.Drivers), (name, fallback.Query!.Metric, fallback.Query.Intent));

        var invalid = new ScriptedChatClient(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", QueryToolArguments.ToolName, Arguments("""{"answerable":true,"intent":"value","metric":"nonsense"}"""))])));
        var (parsed, parser) = await new LanguageModelInterpreter(invalid, NullLogger<LanguageModelInterpreter>.Instance).InterpretAsync("How many members do we have?", Now, TimeZoneInfo.Utc, CancellationToken.None);
        Assert.Equal(("parser", "members"), (parser, parsed.Query!.Metric));
    }

    /// <summary>A chat client that answers with one prepared response, or fails like an unreachable service when it has none.</summary>
    private sealed class ScriptedChatClient(ChatResponse? response) : IChatClient
    {
        public ChatOptions? Options { get; private set; }
        public List<ChatMessage>? Messages { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Messages = messages.ToList();
            Options = options;
            return response is null ? throw new HttpRequestException("The model cannot be reached from here.") : Task.FromResult(response);
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
