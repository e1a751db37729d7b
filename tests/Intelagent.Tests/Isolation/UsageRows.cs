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
        R(Post, "/api/usage/alerts", UsageAlertsManage, _ => "/api/usage/alerts", _ => new { metric = "api_calls", kind = "percent", threshold = 90 }, header: true),
        R(Get, "/api/usage/alerts", UsageRead, _ => "/api/usage/alerts", header: true),
        R(Delete, "/api/usage/alerts/{id}", UsageAlertsManage, async (w, c) =>
            w.Request(c, Delete, $"/api/usage/alerts/{await w.CreateAsync(w.Owner, "/api/usage/alerts", new { metric = "seats", kind = "absolute", threshold = 2 })}")),
        R(Get, "/api/admin/usage", PlatformOrganizationsRead, _ => "/api/admin/usage"),
        R(Get, "/api/admin/usage/top", PlatformOrganizationsRead, _ => "/api/admin/usage/top?metric=api_calls&limit=10"),
        R(Put, "/api/admin/organizations/{id}/limits", PlatformOrganizationsManage, w => $"/api/admin/organizations/{w.Org}/limits", _ => new { apiCallsPerDay = 5000 }),
    ];
}
