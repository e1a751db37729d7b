using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>A document editor's heartbeat: <c>clientId</c> tells the tabs of one session apart.</summary>
public sealed record PresenceHeartbeatRequest(string? ClientId);

/// <summary>Who is online in the organization in context, and who is in a document; the heartbeat for editors without a live connection.</summary>
public static class PresenceEndpoints
{
    public static IEndpointRouteBuilder MapPresenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/presence", ReadOrganizationAsync).WithTags("Presence").RequirePermission(Permissions.MembersRead).WithName("OrganizationPresence")
            .WithSummary("The members online now (any live connection), each once however many tabs they have open")
            .Produces<PresenceResponse>().WithProblems(400, 403, 404, 503);
        var document = app.MapGroup("/api/documents/{id}/presence").WithTags("Presence");
        document.MapGet("/", ReadDocumentAsync).RequirePermission(Permissions.DocumentsRead).WithName("DocumentPresence")
            .WithSummary("The people in the document now").Produces<PresenceResponse>().WithProblems(403, 404, 503);
        document.MapPut("/", BeatAsync).RequirePermission(Permissions.DocumentsRead).WithName("DocumentPresenceHeartbeat")
            .WithSummary("Marks the caller as in the document for one presence timeout (60 s by default); an editor beats again before it ends")
            .Produces<PresenceResponse>().WithProblems(400, 403, 404, 503);
        document.MapDelete("/", LeaveAsync).RequirePermission(Permissions.DocumentsRead).WithName("LeaveDocumentPresence")
            .WithSummary("Leaves the document at once instead of waiting for the timeout").Produces(204).WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> ReadOrganizationAsync(RequestContext caller, PresenceTracker tracker, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tracker.ReadAsync(PresenceScope.Organization(caller.OrganizationId!), cancellationToken));

    private static async Task<IResult> ReadDocumentAsync(string id, RequestContext caller, PresenceTracker tracker, PresenceDocuments documents, CancellationToken cancellationToken)
    {
        if (!await documents.BelongsToAsync(id, caller.OrganizationId!, cancellationToken)) return Error.NotFound("document").ToResult();
        return TypedResults.Ok(await tracker.ReadAsync(PresenceScope.Document(caller.OrganizationId!, id), cancellationToken));
    }

    private static async Task<IResult> BeatAsync(string id, PresenceHeartbeatRequest? request, RequestContext caller, PresenceTracker tracker, PresenceDocuments documents,
        CancellationToken cancellationToken)
    {
        var check = await CheckAsync(id, request?.ClientId, caller, documents, cancellationToken);
        if (check.Error is { } error) return error.ToResult();
        return TypedResults.Ok(await tracker.BeatAsync(caller.OrganizationId!, id, caller.UserId!, check.Value!, cancellationToken));
    }

    private static async Task<IResult> LeaveAsync(string id, string? clientId, RequestContext caller, PresenceTracker tracker, PresenceDocuments documents, CancellationToken cancellationToken)
    {
        var check = await CheckAsync(id, clientId, caller, documents, cancellationToken);
        if (check.Error is { } error) return error.ToResult();
        await tracker.LeaveByHeartbeatAsync(caller.OrganizationId!, id, caller.UserId!, check.Value!);
        return TypedResults.NoContent();
    }

    /// <summary>The heartbeat's connection key (one per session and tab), once the document is known to be the organization's.</summary>
    private static async Task<Result<string>> CheckAsync(string id, string? clientId, RequestContext caller, PresenceDocuments documents, CancellationToken cancellationToken)
    {
        var validation = new Validation().Length("clientId", clientId, 64);
        if (validation.Failed) return validation.ToError();
        if (!await documents.BelongsToAsync(id, caller.OrganizationId!, cancellationToken)) return Error.NotFound("document");
        if (caller.UserId is null || caller.SessionId is null)
            return Error.Forbidden("person_required", "Presence is for signed-in people; an API key cannot be in a document.");
        return $"http:{caller.SessionId}:{clientId}";
    }
}
