using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Compliance;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.SecurityCenter;

/// <summary>
/// Reads of the security center that no module service offers: the alerts and kept-report
/// endpoints query the database themselves, so these are their queries, run inside <see cref="PortalSession.RunAsync{T}"/> under
/// the endpoint's permission and the tenant filter.
/// </summary>
internal static class SecurityCenterQueries
{
    /// <summary>The newest alerts of the organization in context, as <c>GET /api/security/alerts</c> lists them.</summary>
    public static async Task<Result<List<SecurityAlertResponse>>> LatestAlertsAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        return await db.Set<SecurityAlert>().AsNoTracking().OrderByDescending(a => a.Id).Take(count)
            .Select(a => new SecurityAlertResponse(a.Id, a.Kind, a.Severity, a.Title, a.Detail, a.SubjectUserId, a.AuditEntryId, a.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The newest monthly reports kept, as <c>GET /api/security/compliance/reports</c> lists them.</summary>
    public static async Task<Result<List<ComplianceReportSummary>>> KeptComplianceReportsAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var rows = await db.Set<ComplianceReport>().AsNoTracking().OrderByDescending(r => r.Id).Take(count).ToListAsync(cancellationToken);
        return rows.Select(r => new ComplianceReportSummary(r.Id, r.Period, r.GeneratedAt,
            JsonSerializer.Deserialize<ComplianceResponse>(r.Content, ComplianceService.Json)!.SecurityScore, $"/api/security/compliance/reports/{r.Id}")).ToList();
    }
}
