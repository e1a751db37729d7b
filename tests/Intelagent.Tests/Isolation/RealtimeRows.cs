using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>The realtime module's routes: the activity feed and notification preferences (the hub is not under /api).</summary>
public static class RealtimeRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/organizations/{orgId}/activity", ActivityRead, w => $"/api/organizations/{w.Org}/activity"),
        R(Get, "/api/notifications/preferences", NotificationsRead, _ => "/api/notifications/preferences", header: true),
        R(Put, "/api/notifications/preferences", NotificationsRead, _ => "/api/notifications/preferences", _ => new { mutedTypes = new[] { "member.joined" } }, header: true),
    ];
}
