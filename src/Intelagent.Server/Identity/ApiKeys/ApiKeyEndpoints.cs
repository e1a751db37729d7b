using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Server.Identity.ApiKeys;

/// <summary>The spec's /api/security/api-keys: the organization comes from X-Organization-Id (or the only membership).</summary>
public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/api-keys").WithTags("API keys");
        group.MapGet("/", ListAsync).RequirePermission(Permissions.ApiKeysRead).WithName("ListApiKeys")
            .WithSummary("The organization's keys (never their secrets), flagged past 90 days").Produces<Page<ApiKeyResponse>>().WithProblems(400, 403, 404);
        group.MapPost("/", CreateAsync).RequirePermission(Permissions.ApiKeysManage).WithName("CreateApiKey")
            .WithSummary("Create a key with a subset of the caller's permissions; the secret is shown once").Produces<CreatedApiKeyResponse>(201).WithProblems(400, 403, 404);
        group.MapDelete("/{id}", RevokeAsync).RequirePermission(Permissions.ApiKeysManage).WithName("RevokeApiKey")
            .WithSummary("Revoke a key at once").Produces(204).WithProblems(403, 404);
        group.MapPost("/{id}/rotate", RotateAsync).RequirePermission(Permissions.ApiKeysManage).WithName("RotateApiKey")
            .WithSummary("Issue a new secret; the old one keeps working for gracePeriodHours (default 24)").Produces<CreatedApiKeyResponse>(201).WithProblems(400, 403, 404, 409);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await keys.ListAsync(page.Value!, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> CreateAsync(CreateApiKeyRequest request, ApiKeyService keys, CancellationToken cancellationToken) =>
        (await keys.CreateAsync(request, cancellationToken)).ToHttp(k => TypedResults.Created($"/api/security/api-keys/{k.Id}", k));

    private static async Task<IResult> RevokeAsync(string id, ApiKeyService keys, CancellationToken cancellationToken) =>
        (await keys.RevokeAsync(id, cancellationToken)).NoContentOr();

    private static async Task<IResult> RotateAsync(string id, RotateApiKeyRequest? request, ApiKeyService keys, CancellationToken cancellationToken) =>
        (await keys.RotateAsync(id, request, cancellationToken)).ToHttp(k => TypedResults.Created($"/api/security/api-keys/{k.Id}", k));
}
