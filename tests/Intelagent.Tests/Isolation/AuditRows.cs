using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Security;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>The security center's audit trail, alerts and incidents (organization from X-Organization-Id, or the incident's id).</summary>
public static class AuditRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/security/audit-logs", AuditRead, _ => "/api/security/audit-logs", header: true),
        R(Get, "/api/security/audit-logs/verify", AuditRead, _ => "/api/security/audit-logs/verify", header: true),
        R(Get, "/api/security/alerts", AuditRead, _ => "/api/security/alerts", header: true),
        // A fresh alert per caller, so the owner's acknowledgement is not the second one (409).
        R(Post, "/api/security/alerts/{id}/acknowledge", SecuritySettingsManage, async (w, c) =>
            w.Request(c, Post, $"/api/security/alerts/{await AlertSeed.RaiseAsync(w.App, w.Org)}/acknowledge", new { note = "Looked into it" })),
        R(Get, "/api/security/audit-logs/export", AuditExport, _ => "/api/security/audit-logs/export?format=csv", header: true),
        R(Post, "/api/security/incidents", IncidentsReport, _ => "/api/security/incidents",
            _ => new { title = Unique("Incident"), severity = "high", description = "Phishing mail", affected = "support inbox" }, header: true),
        R(Get, "/api/security/incidents", IncidentsRead, _ => "/api/security/incidents", header: true),
        R(Get, "/api/security/incidents/{id}", IncidentsRead, async (w, c) => w.Request(c, Get, $"/api/security/incidents/{await IncidentAsync(w)}")),
        R(Patch, "/api/security/incidents/{id}", IncidentsManage, async (w, c) =>
            w.Request(c, Patch, $"/api/security/incidents/{await IncidentAsync(w)}", new { status = "investigating" })),
    ];

    /// <summary>A fresh incident reported by the owner, so a status change by one caller does not affect the next.</summary>
    private static Task<string> IncidentAsync(World w)
    {
        var client = w.App.WithToken(w.Owner.Token, w.Org);
        return CreateAsync(client, new { title = Unique("Incident"), severity = "low" });
    }

    private static async Task<string> CreateAsync(HttpClient client, object body)
    {
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/security/incidents", body);
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }
}
