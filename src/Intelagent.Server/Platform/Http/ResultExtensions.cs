using Intelagent.Server.Platform.Problems;
using Microsoft.OpenApi;

namespace Intelagent.Server.Platform.Http;

public static class ResultExtensions
{
    /// <summary>The one mapping from service results to HTTP: the value through <paramref name="onSuccess"/>, an error as its problem.</summary>
    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> onSuccess) =>
        result.IsSuccess ? onSuccess(result.Value!) : result.Error!.ToResult();

    public static IResult NoContentOr(this Result<bool> result) => result.ToHttp(_ => TypedResults.NoContent());

    /// <summary>Standard OpenAPI annotations for an endpoint's problem outcomes.</summary>
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Concat([401]).Distinct()) builder.ProducesProblem(status);
        return builder;
    }

    /// <summary>
    /// Adds a text media type beside the JSON one the endpoint declares for <paramref name="status"/>
    /// (an export as CSV or JSON). Two Produces for one status do not add up: the last replaces the first.
    /// </summary>
    public static RouteHandlerBuilder ProducesText(this RouteHandlerBuilder builder, int status, string contentType) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true && response.Content is { } content)
                content.TryAdd(contentType, new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            return Task.CompletedTask;
        });
}
