using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Usage metering and limits.</summary>
public static class UsageRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/usage", UsageRead, _ => "/api/usage", header: true),
        R(Get, "/api/usage/history", UsageRead, _ => "/api/usage/history?granularity=day", header: true),
        R(Get, "/api/usage/limits", UsageRead, _ => "/api/usage/limits", header: true),
        R(Post, "/api/usage/events", UsageReport, _ => "/api/usage/events", _ => new { events = new[] { new { id = Unique("evt"), metric = "compute_seconds", quantity = 1, product = "chatbot" } } }, header: true),
        R(Put, "/api/admin/organizations/{id}/limits", PlatformOrganizationsManage, w => $"/api/admin/organizations/{w.Org}/limits", _ => new { apiCallsPerDay = 5000 }),
    ];
}
