using Intelagent.Server.Insights.Query;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Intelagent.Server.Insights;

/// <summary>
/// Questions in plain English (<c>POST /api/ai/query</c>): the parser by default; with
/// OPENAI_API_KEY set, a language model through Microsoft.Extensions.AI (OPENAI_MODEL picks the
/// model, gpt-4o-mini by default). Either way our executor runs the typed query.
/// </summary>
public static class QueryModule
{
    public static IServiceCollection AddInsightQueries(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<FinanceQueries>();
        services.AddScoped<ActivityQueries>();
        services.AddScoped<AnalysisQueries>();
        services.AddScoped<QueryExecutor>();
        services.AddScoped<QuestionAnswerer>();
        var key = configuration["OPENAI_API_KEY"];
        if (string.IsNullOrWhiteSpace(key))
        {
            services.AddSingleton<IQuestionInterpreter, ParserInterpreter>();
            return services;
        }
        var model = configuration["OPENAI_MODEL"] is { Length: > 0 } configured ? configured : "gpt-4o-mini";
        // The chat client stays private to this interpreter, so another module's IChatClient cannot collide with it.
        var client = new OpenAIClient(key).GetChatClient(model).AsIChatClient();
        services.AddSingleton<IQuestionInterpreter>(provider => new LanguageModelInterpreter(client, provider.GetRequiredService<ILogger<LanguageModelInterpreter>>()));
        return services;
    }

    public static IEndpointRouteBuilder MapInsightQueries(this IEndpointRouteBuilder app) => app.MapQueryEndpoints();
}
