using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Server.Insights.Query;

/// <summary>Questions in plain English: an organization's own, and the operator's about the whole platform.</summary>
public static class QueryEndpoints
{
    public static IEndpointRouteBuilder MapQueryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/ai/query", AskAsync).WithTags("Insights").RequirePermission(Permissions.InsightsQuery).WithName("AskQuestion")
            .WithSummary("Answer a question about the organization's data: words, the interpreted query, a table and a chart")
            .Produces<QueryResponse>().WithProblems(400, 403, 404, 422);
        app.MapPost("/api/admin/ai/query", AskAboutPlatformAsync).WithTags("Insights").RequirePermission(Permissions.PlatformOrganizationsRead).WithName("AskPlatformQuestion")
            .WithSummary("The operator's questions about the whole platform: revenue, churn, costs, usage and product events across organizations")
            .Produces<QueryResponse>().WithProblems(400, 403, 404, 422);
        return app;
    }

    private static async Task<IResult> AskAsync(QueryRequest? request, QuestionAnswerer answerer, CancellationToken cancellationToken) =>
        (await answerer.AnswerAsync(request, platform: false, cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> AskAboutPlatformAsync(QueryRequest? request, QuestionAnswerer answerer, CancellationToken cancellationToken) =>
        (await answerer.AnswerAsync(request, platform: true, cancellationToken)).ToHttp(TypedResults.Ok);
}
