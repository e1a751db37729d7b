using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Product events, insights and suggestions.</summary>
public static class InsightRows
{
    private static object Events(World w, bool named) => new
    {
        events = new[] { new { id = Unique("evt"), type = "custom.signed_up", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), organizationId = named ? w.Org : null } },
    };

    public static readonly Row[] All =
    [
        R(Post, "/api/events", EventsReport, _ => "/api/events", w => Events(w, named: false), header: true),
        R(Post, "/api/admin/events", PlatformOrganizationsManage, _ => "/api/admin/events", w => Events(w, named: true)),
        R(Get, "/api/ai/insights", InsightsRead, _ => "/api/ai/insights", header: true),
        R(Post, "/api/ai/insights/run", InsightsQuery, _ => "/api/ai/insights/run", header: true),
        R(Get, "/api/admin/ai/insights", PlatformOrganizationsRead, _ => "/api/admin/ai/insights"),
        R(Post, "/api/admin/ai/insights/run", PlatformOrganizationsManage, _ => "/api/admin/ai/insights/run"),
        R(Get, "/api/ai/suggestions", InsightsRead, _ => "/api/ai/suggestions", header: true),
    ];
}
