using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Insights.Suggestions;

public static class SuggestionEndpoints
{
    public static IEndpointRouteBuilder MapSuggestionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ai/suggestions", SuggestAsync).RequirePermission(Permissions.InsightsRead).WithTags("Insights").WithName("GetSuggestions")
            .WithSummary("Email templates ranked by measured engagement (with intervals), the best sending time, products not used yet, content tips from what performs")
            .Produces<SuggestionsResponse>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> SuggestAsync(RequestContext request, SuggestionService suggestions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await suggestions.SuggestAsync(request.OrganizationId!, cancellationToken));
}
