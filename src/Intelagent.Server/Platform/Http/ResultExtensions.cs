using Intelagent.Server.Platform.Problems;

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
}
