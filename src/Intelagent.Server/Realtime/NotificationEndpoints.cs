using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime;

public sealed record NotificationResponse(string Id, string Type, string Title, string? Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);
public sealed record UnreadCountResponse(int Unread);

/// <summary>The caller's notifications in the organization in context (X-Organization-Id), unread first.</summary>
public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications");
        group.MapGet("/", ListAsync).RequirePermission(Permissions.NotificationsRead).WithName("ListNotifications")
            .WithSummary("Unread first, newest first").Produces<Page<NotificationResponse>>().WithProblems(400, 404);
        group.MapGet("/unread-count", UnreadCountAsync).RequirePermission(Permissions.NotificationsRead).WithName("UnreadNotificationCount").Produces<UnreadCountResponse>();
        group.MapPost("/{id}/read", MarkReadAsync).RequirePermission(Permissions.NotificationsRead).WithName("MarkNotificationRead").Produces(204).WithProblems(404);
        group.MapPost("/read-all", MarkAllReadAsync).RequirePermission(Permissions.NotificationsRead).WithName("MarkAllNotificationsRead").Produces(204);
        return app;
    }

    private static IQueryable<Notification> Mine(AppDb db, RequestContext caller) => db.Notifications.AsNoTracking().Where(n => n.UserId == caller.UserId);

    /// <summary>
    /// Two keyset segments, unread then read, each newest first. The cursor names the segment
    /// (<c>u:</c> or <c>r:</c>) and the last id seen, so paging stays stable as items are read.
    /// </summary>
    private static async Task<IResult> ListAsync(int? limit, string? cursor, AppDb db, RequestContext caller, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var size = page.Value!.Limit;
        var segment = cursor is null ? "u" : cursor.Split(':', 2)[0];
        var after = cursor?.Split(':', 2).ElementAtOrDefault(1);
        if (cursor is not null && (segment is not ("u" or "r") || string.IsNullOrEmpty(after)))
            return Error.Validation("cursor", "is not a cursor this API issued.").ToResult();

        var items = new List<Notification>();
        if (segment == "u")
        {
            var unread = Mine(db, caller).Where(n => n.ReadAt == null);
            if (after is not null) unread = unread.Where(n => string.Compare(n.Id, after) < 0);
            items.AddRange(await unread.OrderByDescending(n => n.Id).Take(size + 1).ToListAsync(cancellationToken));
            if (items.Count > size) return TypedResults.Ok(Page(items.Take(size), "u:" + items[size - 1].Id));
            after = null;
        }
        var read = Mine(db, caller).Where(n => n.ReadAt != null);
        if (after is not null) read = read.Where(n => string.Compare(n.Id, after) < 0);
        var readItems = await read.OrderByDescending(n => n.Id).Take(size - items.Count + 1).ToListAsync(cancellationToken);
        var hasMore = items.Count + readItems.Count > size;
        items.AddRange(readItems.Take(size - items.Count));
        return TypedResults.Ok(Page(items, hasMore ? "r:" + items[^1].Id : null));
    }

    private static Page<NotificationResponse> Page(IEnumerable<Notification> items, string? next) =>
        new(items.Select(n => new NotificationResponse(n.Id, n.Type, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt)).ToList(), next);

    private static async Task<IResult> UnreadCountAsync(AppDb db, RequestContext caller, CancellationToken cancellationToken) =>
        TypedResults.Ok(new UnreadCountResponse(await Mine(db, caller).CountAsync(n => n.ReadAt == null, cancellationToken)));

    private static async Task<IResult> MarkReadAsync(string id, AppDb db, RequestContext caller, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var exists = await Mine(db, caller).AnyAsync(n => n.Id == id, cancellationToken);
        if (!exists) return Error.NotFound("notification").ToResult();
        await db.Notifications.Where(n => n.Id == id && n.UserId == caller.UserId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MarkAllReadAsync(AppDb db, RequestContext caller, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        await db.Notifications.Where(n => n.UserId == caller.UserId && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
        return TypedResults.NoContent();
    }
}
