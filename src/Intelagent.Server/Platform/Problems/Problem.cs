using Microsoft.AspNetCore.Http.HttpResults;

namespace Intelagent.Server.Platform.Problems;

/// <summary>
/// An expected failure: what services return instead of throwing. It maps to one RFC 7807 response
/// in <see cref="ToResult"/>, the only place where failures become HTTP.
/// </summary>
public sealed record Error(int Status, string Code, string Detail, IDictionary<string, string[]>? Errors = null)
{
    public static Error NotFound(string what) => new(404, "not_found", $"The {what} was not found.");
    public static Error Conflict(string code, string detail) => new(409, code, detail);
    public static Error Forbidden(string code, string detail) => new(403, code, detail);
    public static Error Unprocessable(string code, string detail) => new(422, code, detail);
    /// <summary>An If-Match that names an older version (RFC 9110 §13.1.1).</summary>
    public static Error Stale(string what) => new(412, "stale_version", $"The {what} changed since you read it (If-Match); read it again and retry.");

    public static Error BadRequest(string code, string detail) => new(400, code, detail);

    public static Error Validation(string field, string message) =>
        new(400, "validation_failed", "One or more fields are invalid.", new Dictionary<string, string[]> { [field] = [message] });

    public ProblemHttpResult ToResult() => Problem.Of(this);
}

/// <summary>A value or an <see cref="Error"/>.</summary>
public readonly record struct Result<T>
{
    public T? Value { get; }
    public Error? Error { get; }
    public bool IsSuccess => Error is null;

    private Result(T? value, Error? error) => (Value, Error) = (value, error);

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(Error error) => new(default, error);
}

public static class Problem
{
    private static readonly Dictionary<int, string> Titles = new()
    {
        [400] = "Bad request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not found",
        [405] = "Method not allowed",
        [409] = "Conflict",
        [412] = "Precondition failed",
        [413] = "Payload too large",
        [415] = "Unsupported media type",
        [422] = "Unprocessable content",
        [429] = "Too many requests",
        [503] = "Service unavailable",
    };

    public static string TitleFor(int status) => Titles.GetValueOrDefault(status, "Error");

    public static string TypeFor(int status) => $"https://httpstatuses.io/{status}";

    public static ProblemHttpResult Of(Error error)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Errors is not null) extensions["errors"] = error.Errors;
        return TypedResults.Problem(
            detail: error.Detail, statusCode: error.Status, title: TitleFor(error.Status),
            type: TypeFor(error.Status), extensions: extensions);
    }

    public static ProblemHttpResult Of(int status, string code, string detail) => Of(new Error(status, code, detail));

    /// <summary>Writes a problem outside an endpoint (middleware, authorization results).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string detail) =>
        Of(status, code, detail).ExecuteAsync(context);
}
