using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Intelagent.Server.Platform.Problems;

public static class ProblemSetup
{
    /// <summary>Every problem carries a <c>traceId</c> and a stable <c>code</c>, whoever wrote it.</summary>
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            if (!problem.Extensions.ContainsKey("code"))
                problem.Extensions["code"] = status switch
                {
                    400 when problem is HttpValidationProblemDetails => "validation_failed",
                    404 => "not_found",
                    405 => "method_not_allowed",
                    415 => "unsupported_media_type",
                    _ => "http_" + status,
                };
            problem.Type ??= Problem.TypeFor(status);
            // The framework's writer has filled these already; the fallback writer below has not.
            problem.Status ??= status;
            problem.Title ??= Problem.TitleFor(status);
        });
        // After the framework's writer, which declines a client whose Accept names no JSON type.
        services.AddSingleton<IProblemDetailsWriter, AnyClientProblemDetailsWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Malformed JSON and wrong types throw BadHttpRequestException in every environment, so the
        // exception handler can answer with a problem instead of an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}

/// <summary>
/// The problem for a client whose Accept names no JSON type (a script asking for text/html, say). The
/// framework's writer declines it, and the result then writes the bare problem without the customization,
/// so without its traceId; the answer is JSON either way (an error has no HTML form here), now the whole problem.
/// </summary>
internal sealed class AnyClientProblemDetailsWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json"));
    }
}

/// <summary>
/// The one place where exceptions become responses. Client mistakes that surface as exceptions
/// (unreadable bodies, races on unique keys, stale versions) get their 4xx; anything else is our bug
/// and gets a 500 without details.
/// </summary>
internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = Classify(exception);
        if (status == 503) logger.LogWarning(exception, "A dependency is unreachable on {Method} {Path}", context.Request.Method, context.Request.Path);
        else if (status >= 500) logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        else logger.LogDebug(exception, "Client error {Code}", code);
        if (context.Response.HasStarted) return false;
        context.Response.Clear();
        if (status == 503) context.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problem.WriteAsync(context, status, code, detail);
        return true;
    }

    internal static (int Status, string Code, string Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } =>
            (400, "invalid_json", "The request body is not valid JSON for this endpoint: " + json.Message),
        BadHttpRequestException bad when bad.StatusCode == 413 => (413, "payload_too_large", "The request body is too large."),
        BadHttpRequestException bad when bad.StatusCode == 415 => (415, "unsupported_media_type", bad.Message),
        BadHttpRequestException bad => (400, "bad_request", bad.Message),
        JsonException json => (400, "invalid_json", json.Message),
        DbUpdateConcurrencyException => (412, "stale_version", "The resource changed since you read it; read it again and retry."),
        DbUpdateException db when UniqueViolation.Is(db) => (409, "conflict", "A resource with the same unique value already exists."),
        _ when DatabaseUnavailable.Is(exception) => (503, "database_unavailable", "The database cannot be reached for a moment; retry shortly (see Retry-After)."),
        // Redis out of reach (presence reads): fail fast like the database, never a 500.
        RedisConnectionException or RedisTimeoutException => (503, "redis_unavailable", "Shared realtime state cannot be reached for a moment; retry shortly (see Retry-After)."),
        OperationCanceledException => (400, "request_cancelled", "The request was cancelled."),
        _ => (500, "internal_error", "An unexpected error occurred. It has been logged with this trace id."),
    };
}

internal static class UniqueViolation
{
    public static bool Is(DbUpdateException exception) => exception.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };
}
