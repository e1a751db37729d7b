using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

        R(Get, "/api/security/compliance", ComplianceRead, _ => "/api/security/compliance", header: true),
        R(Get, "/api/security/compliance/report", ComplianceRead, _ => "/api/security/compliance/report?format=json", header: true),
        R(Get, "/api/security/compliance/reports", ComplianceRead, _ => "/api/security/compliance/reports", header: true),
        R(Get, "/api/security/compliance/reports/{id}", ComplianceRead, async (w, c) => w.Request(c, Get, $"/api/security/compliance/reports/{await KeptReportAsync(w)}?format=json")),
    ];

    /// <summary>The month's report of the world's organization, kept by the monthly job.</summary>
    private static async Task<string> KeptReportAsync(World w)
    {
        await using (var scope = w.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Intelagent.Server.Security.Compliance.MonthlyComplianceReportJob>().RunAsync(CancellationToken.None);
        return await w.App.WithDbAsync(db => db.Set<Intelagent.Server.Security.Compliance.ComplianceReport>().Where(r => r.OrganizationId == w.Org).Select(r => r.Id).SingleAsync(), w.Org);
    }

    private static async Task<string> ExportAsync(World w)
    {
        var client = w.App.WithToken(w.Owner.Token, w.Org);
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/security/data-requests", new { type = "export", subjectEmail = Api.UniqueEmail("nobody") });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }
}
