using Intelagent.Server.Platform.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Intelagent.Server.Platform.Http;

/// <summary>The endpoint compares <c>If-Match</c> with the resource's version (<see cref="ETags"/>): a stale one is a 412 problem.</summary>
public sealed record IfMatchMetadata;

public static class IfMatchExtensions
{
    /// <summary>Declares that the endpoint honours <c>If-Match</c>; the OpenAPI document then lists the header and its 412.</summary>
    public static RouteHandlerBuilder HonoursIfMatch(this RouteHandlerBuilder builder) => builder.WithMetadata(new IfMatchMetadata());
}

/// <summary>
/// Adds to every /api operation the responses the platform's pipeline can give it before (or
/// around) its handler, so that the document declares every status an operation can answer
/// (docs/decisions/028-ops-fuzz.md): what an operation is comes from the metadata its route
/// declares (<c>RequirePermission</c>, <c>RequireSignedIn</c>, <c>AllowAnonymous</c>, rate-limiting
/// policies, a JSON body, <see cref="IfMatchMetadata"/>), never from a list of routes. An endpoint's
/// own declarations (<c>WithProblems</c>) stay as they are; only statuses it does not declare are added,
/// each an RFC 7807 problem with the same ProblemDetails schema.
/// </summary>
internal sealed class PlatformResponsesTransformer : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true) return;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var signedIn = !anonymous && metadata.OfType<IAuthorizeData>().Any();
        var tenantScoped = signedIn && metadata.OfType<TenantScopedMetadata>().Any();
        var perAddressLimit = metadata.OfType<EnableRateLimitingAttribute>().Any();
        var method = description.HttpMethod ?? "GET";
        var unsafeMethod = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method);
        var idempotent = HttpMethods.IsPost(method) || HttpMethods.IsPatch(method);
        var jsonBody = operation.RequestBody?.Content?.Keys.Any(k => k.Contains("json", StringComparison.OrdinalIgnoreCase)) == true;
        var routeIds = description.ParameterDescriptions.Any(p => p.Source?.Id == "Path") || description.RelativePath.Contains('{', StringComparison.Ordinal);
        var ifMatch = metadata.OfType<IfMatchMetadata>().Any();

        var responses = operation.Responses ??= new OpenApiResponses();
        DeclareMediaTypesWithoutSchema(responses, metadata);
        var schema = ExistingProblemSchema(responses) ?? await SharedProblemSchemaAsync(context, cancellationToken);

        var badRequest = new List<string> { "a NUL character (%00, \\u0000) in the query string or the body" };
        if (jsonBody) badRequest.Add("a body that is not valid JSON for the endpoint (invalid_json)");
        if (description.ParameterDescriptions.Count > 0) badRequest.Add("a parameter of the wrong type");
        if (tenantScoped) badRequest.Add("no organization to act for: send X-Organization-Id when you belong to several");
        if (idempotent) badRequest.Add("an Idempotency-Key longer than 255 characters");
        Add(responses, 400, schema, "Bad request: " + string.Join("; ", badRequest) + ".");
        if (signedIn) Add(responses, 401, schema, "Not signed in: no or an expired token, API key or session (also after the organization's idle timeout).");
        if (signedIn || unsafeMethod)
        {
            var forbidden = signedIn
                ? "Forbidden: the caller's role or API key lacks the permission, or the organization refuses the request (IP allow-list, expired password, required 2FA), or a cookie-authenticated change came from another site."
                : "Forbidden: a cookie-authenticated change came from another site (CSRF).";
            Add(responses, 403, schema, forbidden);
        }
        if (tenantScoped || routeIds) Add(responses, 404, schema, "Not found: the resource does not exist or belongs to another organization.");
        if (unsafeMethod)
            Add(responses, 409, schema, idempotent
                ? "Conflict: a request with the same Idempotency-Key is still being processed, or a concurrent change took the same unique value."
                : "Conflict: a concurrent change took the same unique value.");
        if (idempotent) Add(responses, 422, schema, "Unprocessable: the Idempotency-Key was used before with a different body.");
        if (ifMatch)
        {
            Add(responses, 412, schema, "Precondition failed: If-Match names an older version of the resource; read it again.");
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => string.Equals(p.Name, "If-Match", StringComparison.OrdinalIgnoreCase)))
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-Match",
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "The ETag of the version read; the change is refused with 412 when the resource has changed since.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
        }
        if (jsonBody)
        {
            Add(responses, 413, schema, "Payload too large: the body exceeds the endpoint's size limit.");
            Add(responses, 415, schema, "Unsupported media type: the body must be application/json.");
        }
        if (tenantScoped || perAddressLimit)
        {
            var why = tenantScoped
                ? "Too many requests: the organization's rate, daily quota or concurrent requests are used up (see Retry-After and the X-RateLimit-* / X-Quota-* headers)"
                : "Too many requests";
            Add(responses, 429, schema, perAddressLimit ? why + "; or too many attempts from this address." : why + ".", RateLimitHeaders(tenantScoped));
        }
        Add(responses, 503, schema, "Service unavailable: the database or shared state cannot be reached for a moment; retry after Retry-After seconds.",
            new() { ["Retry-After"] = Header("Seconds to wait before retrying.") });
    }

    /// <summary>
    /// <c>Produces(200, contentType: "application/pdf")</c> without a type leaves the response without
    /// content in the document; the media types it names are listed here (a file, or JSON of any shape).
    /// </summary>
    private static void DeclareMediaTypesWithoutSchema(OpenApiResponses responses, IList<object> metadata)
    {
        foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.Type is null || p.Type == typeof(void)))
        {
            if (!responses.TryGetValue(produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) || response is not OpenApiResponse declared) continue;
            declared.Content ??= new Dictionary<string, OpenApiMediaType>();
            foreach (var contentType in produces.ContentTypes)
                declared.Content.TryAdd(contentType, new OpenApiMediaType
                {
                    // JSON of no declared type may be anything; anything else is a file.
                    Schema = contentType.Contains("json", StringComparison.Ordinal) ? new OpenApiSchema() : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                });
        }
    }

    /// <summary>The ProblemDetails component every <c>WithProblems</c> response refers to, created when this operation is the first to need it.</summary>
    private static async Task<IOpenApiSchema> SharedProblemSchemaAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        const string Id = "ProblemDetails";
        if (context.Document is not { } document) return await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);
        if (document.Components?.Schemas?.ContainsKey(Id) != true)
            document.AddComponent(Id, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        return new OpenApiSchemaReference(Id, document);
    }

    /// <summary>The schema the endpoint's own problem responses use, so every problem shares one component.</summary>
    private static IOpenApiSchema? ExistingProblemSchema(OpenApiResponses responses) =>
        responses.Values.Select(r => r.Content is { } content && content.TryGetValue(ProblemJson, out var media) ? media.Schema : null).FirstOrDefault(s => s is not null);

    private static void Add(OpenApiResponses responses, int status, IOpenApiSchema schema, string description, Dictionary<string, IOpenApiHeader>? headers = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (responses.TryGetValue(key, out var existing))
        {
            // The endpoint declared it already (WithProblems): keep its declaration, and add the headers it can carry.
            if (headers is not null && existing is OpenApiResponse declared)
            {
                declared.Headers ??= new Dictionary<string, IOpenApiHeader>();
                foreach (var (name, header) in headers) declared.Headers.TryAdd(name, header);
            }
            return;
        }
        responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } },
            Headers = headers,
        };
    }

    private static Dictionary<string, IOpenApiHeader> RateLimitHeaders(bool metered)
    {
        var headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = Header("Seconds to wait before retrying.") };
        if (!metered) return headers;
        headers["X-RateLimit-Limit"] = Header("Calls per minute the organization's plan allows.");
        headers["X-RateLimit-Remaining"] = Header("Calls left in the current window.");
        headers["X-RateLimit-Reset"] = Header("Seconds until the window is full again.");
        headers["X-Quota-Limit"] = Header("Calls per UTC day, when the plan has a daily quota.");
        headers["X-Quota-Remaining"] = Header("Calls left today.");
        headers["X-Quota-Reset"] = Header("Seconds until midnight UTC.");
        return headers;
    }

    /// <summary>An integer header that is not always sent (a per-address refusal has no X-RateLimit-*; an SMS 503 no Retry-After).</summary>
    private static OpenApiHeader Header(string description) =>
        new() { Description = description, Required = false, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
}
