using System.Text.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Activity;

public sealed record ActivityActor(string Id, string? Name);
public sealed record ActivityTarget(string Type, string Id, string? Name);

/// <summary>A feed item, also the payload of <c>activity:new</c>.</summary>
public sealed record ActivityResponse(string Id, string OrganizationId, string Action, ActivityActor? Actor, ActivityTarget Target, JsonElement? Details, DateTimeOffset CreatedAt)
{
    public static ActivityResponse From(ActivityEntry e) => new(e.Id, e.OrganizationId, e.Action,
        e.ActorUserId is null ? null : new ActivityActor(e.ActorUserId, e.ActorName),
        new ActivityTarget(e.TargetType, e.TargetId, e.TargetName),
        e.Details is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Details), e.CreatedAt);
}

public static class ActivityEndpoints
{
    public static IEndpointRouteBuilder MapActivityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/organizations/{orgId}/activity", ListAsync).WithTags("Activity")
            .RequirePermission(Permissions.ActivityRead).WithName("ListActivity")
            .WithSummary("The organization's activity feed, newest first: who changed what")
            .Produces<Page<ActivityResponse>>().WithProblems(400, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(string orgId, int? limit, string? cursor, AppDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var result = await db.Set<ActivityEntry>().AsNoTracking().OrderByDescending(e => e.Id).ToPageAsync(page.Value!,
            (query, after) => query.Where(e => string.Compare(e.Id, after) < 0), e => e.Id, ActivityResponse.From, cancellationToken);
        return TypedResults.Ok(result);
    }
}
