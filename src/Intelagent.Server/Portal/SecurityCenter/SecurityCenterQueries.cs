using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Security.Compliance;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.SecurityCenter;

/// <summary>
/// Reads of the security center that no module service offers: the kept-report
/// endpoint queries the database itself, so this is its query, run inside <see cref="PortalSession.RunAsync{T}"/> under
/// the endpoint's permission and the tenant filter.
/// </summary>
internal static class SecurityCenterQueries
{
    /// <summary>The newest monthly reports kept, as <c>GET /api/security/compliance/reports</c> lists them.</summary>
    public static async Task<Result<List<ComplianceReportSummary>>> KeptComplianceReportsAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AppDb>();
        var rows = await db.Set<ComplianceReport>().AsNoTracking().OrderByDescending(r => r.Id).Take(count).ToListAsync(cancellationToken);
        return rows.Select(r => new ComplianceReportSummary(r.Id, r.Period, r.GeneratedAt,
            JsonSerializer.Deserialize<ComplianceResponse>(r.Content, ComplianceService.Json)!.SecurityScore, $"/api/security/compliance/reports/{r.Id}")).ToList();
    }
}
