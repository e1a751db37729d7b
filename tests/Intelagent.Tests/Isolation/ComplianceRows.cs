using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>The security center's score, retention, data requests and compliance (organization from X-Organization-Id, or the request's id).</summary>
public static class ComplianceRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/security/score", SecuritySettingsRead, _ => "/api/security/score", header: true),
        R(Get, "/api/security/score/history", SecuritySettingsRead, _ => "/api/security/score/history", header: true),

        R(Get, "/api/security/retention", ComplianceRead, _ => "/api/security/retention", header: true),
        R(Put, "/api/security/retention", ComplianceManage, _ => "/api/security/retention", _ => new { policies = new[] { new { category = "notifications", days = 90 } } }, header: true),
        R(Get, "/api/security/retention/preview", ComplianceRead, _ => "/api/security/retention/preview?notifications=30", header: true),

        // An export about nobody in particular: harmless for every caller that may make it.
        R(Post, "/api/security/data-requests", ComplianceManage, _ => "/api/security/data-requests", _ => new { type = "export", subjectEmail = Api.UniqueEmail("nobody") }, header: true),
        R(Get, "/api/security/data-requests", ComplianceManage, _ => "/api/security/data-requests", header: true),
        R(Get, "/api/security/data-requests/{id}", ComplianceManage, async (w, c) => w.Request(c, Get, $"/api/security/data-requests/{await ExportAsync(w)}")),
        R(Get, "/api/security/data-requests/{id}/download", ComplianceManage, async (w, c) => w.Request(c, Get, $"/api/security/data-requests/{await ExportAsync(w)}/download")),
    ];

    private static async Task<string> ExportAsync(World w)
    {
        var client = w.App.WithToken(w.Owner.Token, w.Org);
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/security/data-requests", new { type = "export", subjectEmail = Api.UniqueEmail("nobody") });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }
}
