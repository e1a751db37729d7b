using Microsoft.Extensions.AI;

namespace Intelagent.Server.Insights.Query;

/// <summary>Turns a question into a typed query. The executor runs the result, whichever interpreter produced it.</summary>
public interface IQuestionInterpreter
{
    /// <summary>parser or language-model, reported with each answer.</summary>
    string Name { get; }

    Task<(ParseResult Result, string Interpreter)> InterpretAsync(string question, DateTimeOffset now, TimeZoneInfo zone, CancellationToken cancellationToken);
}

/// <summary>The embedded default: our own parser, no network.</summary>
public sealed class ParserInterpreter : IQuestionInterpreter
{
    public string Name => "parser";

    public Task<(ParseResult Result, string Interpreter)> InterpretAsync(string question, DateTimeOffset now, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        Task.FromResult((QuestionParser.Parse(question, now, zone), Name));
}

/// <summary>
/// With OPENAI_API_KEY set: the model reads the question and must call one tool whose parameters
/// are the typed query (<see cref="QueryToolArguments"/>). Its arguments are checked like any
/// input. When the model cannot be reached, answers slowly, or calls the tool with invalid
/// arguments, the parser answers instead, so a question never fails because of the model.
/// </summary>
public sealed class LanguageModelInterpreter(IChatClient client, ILogger<LanguageModelInterpreter> logger) : IQuestionInterpreter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static readonly AIFunctionDeclaration Tool =
        AIFunctionFactory.CreateDeclaration(QueryToolArguments.ToolName, QueryToolArguments.ToolDescription, QueryToolArguments.Schema);

    public string Name => "language-model";

    public async Task<(ParseResult Result, string Interpreter)> InterpretAsync(string question, DateTimeOffset now, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var options = new ChatOptions { Tools = [Tool], ToolMode = ChatToolMode.RequireSpecific(QueryToolArguments.ToolName), Temperature = 0f };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, Instructions(now, zone)), new ChatMessage(ChatRole.User, question)], options, timeout.Token);
            var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == QueryToolArguments.ToolName);
            if (call is not null)
            {
                var mapped = QueryToolArguments.ToQuery(call.Arguments, now, zone);
                if (mapped.Understood || mapped.CannotAnswer?.StartsWith("The interpretation was not valid", StringComparison.Ordinal) != true) return (mapped, Name);
                logger.LogWarning("The language model's query was invalid ({Reason}); the parser answers instead", mapped.CannotAnswer);
            }
            else logger.LogWarning("The language model did not call {Tool}; the parser answers instead", QueryToolArguments.ToolName);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "The language model could not be reached; the parser answers instead");
        }
        return (QuestionParser.Parse(question, now, zone), "parser");
    }

    public static string Instructions(DateTimeOffset now, TimeZoneInfo zone) =>
        $"You turn questions about a SaaS company's metrics into one call of {QueryToolArguments.ToolName}. " +
        $"Now is {TimeZoneInfo.ConvertTime(now, zone):yyyy-MM-dd HH:mm} in the time zone {zone.Id}. " +
        "'Last quarter' is the previous calendar quarter; 'this month' runs from its first day until now; dates are local days and 'to' is exclusive. " +
        "Use intent risk with metric churn_risk for churn-risk lists, drivers for 'what is driving', growth for growth, ranking for top-N, comparison for month over month or year over year. " +
        "Never invent metrics: when none fits, or the question is about the future, call the tool with answerable=false and a reason.";
}
