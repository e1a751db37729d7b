using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal;

/// <summary>
/// Reads the portal needs that no module service offers yet. Each runs inside
/// <see cref="PortalSession.RunAsync{T}"/>, so it is authorized and tenant-filtered like an endpoint.
/// When the owning module grows a service for one of these, the portal should call that instead.
/// </summary>
internal static class PortalQueries
{
    /// <summary>The same count as <c>GET /api/notifications/unread-count</c>.</summary>
    public static async Task<Result<int>> UnreadNotificationsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var userId = services.GetRequiredService<RequestContext>().UserId;
        return await db.Notifications.AsNoTracking().CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);
    }

    /// <summary>The caller's latest notifications, unread first, as <c>GET /api/notifications</c> orders them.</summary>
    public static async Task<Result<List<Realtime.NotificationResponse>>> LatestNotificationsAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var userId = services.GetRequiredService<RequestContext>().UserId;
        return await db.Notifications.AsNoTracking().Where(n => n.UserId == userId)
            .OrderBy(n => n.ReadAt == null ? 0 : 1).ThenByDescending(n => n.Id).Take(count)
            .Select(n => new Realtime.NotificationResponse(n.Id, n.Type, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The same change as <c>POST /api/notifications/read-all</c>.</summary>
    public static async Task<Result<int>> MarkAllNotificationsReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var userId = services.GetRequiredService<RequestContext>().UserId;
        var now = db.Clock.GetUtcNow();
        return await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
    }

    /// <summary>The newest audit entries of the organization in context, as <c>GET /api/security/audit-logs</c> lists them.</summary>
    public static async Task<Result<List<Intelagent.Server.Security.Audit.AuditEntryResponse>>> LatestAuditEntriesAsync(IServiceProvider services, Intelagent.Server.Security.Audit.AuditLogFilter filter, int count,
        CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var organizationId = services.GetRequiredService<RequestContext>().OrganizationId;
        var entries = await filter.Apply(db.AuditEntries.AsNoTracking().Where(e => e.OrganizationId == organizationId))
            .OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
        return entries.Select(Intelagent.Server.Security.Audit.AuditEntryResponse.From).ToList();
    }

    /// <summary>Members per organization for the operator's list (behind platform.organizations.read).</summary>
    public static async Task<Dictionary<string, int>> MemberCountsAcrossTenantsAsync(IServiceProvider services, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        return await db.Memberships.IgnoreQueryFilters().AsNoTracking()
            .Where(m => organizationIds.Contains(m.OrganizationId))
            .GroupBy(m => m.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
    }
}
