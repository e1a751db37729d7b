using System.Globalization;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Documents;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Security.Retention;
using Intelagent.Server.Security.Score;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Compliance;

public sealed record ControlResult(string Id, string Title, string Reference, string Status, string Reason);

public sealed record FrameworkResult(string Code, string Name, int Met, int PartlyMet, int NotMet, IReadOnlyList<ControlResult> Controls);

public sealed record ComplianceResponse(string OrganizationId, string OrganizationName, DateTimeOffset GeneratedAt, int SecurityScore, IReadOnlyList<FrameworkResult> Frameworks);

/// <summary>Judges every framework's controls for one organization, and renders the result as JSON, CSV or PDF.</summary>
public sealed class ComplianceService(AppDb db, SecurityPosture posture)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<ComplianceResponse> EvaluateAsync(string organizationId, CancellationToken cancellationToken)
    {
        var facts = await posture.ReadAsync(organizationId, cancellationToken);
        var auditDays = await db.Set<RetentionPolicy>().IgnoreQueryFilters()
            .Where(p => p.OrganizationId == organizationId && p.Category == "audit_entries").Select(p => (int?)p.Days).FirstOrDefaultAsync(cancellationToken);
        var name = await db.Organizations.IgnoreQueryFilters().Where(o => o.Id == organizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        var evidence = new ComplianceEvidence(facts, SecurityScoreService.Judge(facts).Score, auditDays);
        var frameworks = ComplianceControls.Frameworks.Select(framework =>
        {
            var controls = ComplianceControls.All.Where(c => c.Framework == framework.Code).Select(c =>
            {
                var (status, reason) = c.Judge(evidence);
                return new ControlResult(c.Id, c.Title, c.Reference, status, reason);
            }).ToList();
            return new FrameworkResult(framework.Code, framework.Name,
                controls.Count(c => c.Status == ControlStatus.Met), controls.Count(c => c.Status == ControlStatus.PartlyMet), controls.Count(c => c.Status == ControlStatus.NotMet), controls);
        }).ToList();
        return new ComplianceResponse(organizationId, name, facts.At, evidence.Score, frameworks);
    }

    public static (byte[] Content, string ContentType, string Extension) Render(ComplianceResponse report, string format) => format switch
    {
        "csv" => (Encoding.UTF8.GetBytes(Csv(report)), "text/csv; charset=utf-8", "csv"),
        "pdf" => (Pdf(report), "application/pdf", "pdf"),
        _ => (JsonSerializer.SerializeToUtf8Bytes(report, Json), "application/json; charset=utf-8", "json"),
    };

    private static string Csv(ComplianceResponse report)
    {
        var builder = new StringBuilder("framework,control,reference,title,status,reason\r\n");
        foreach (var framework in report.Frameworks)
            foreach (var c in framework.Controls)
                builder.Append(string.Join(',', new[] { framework.Code, c.Id, c.Reference, c.Title, c.Status, c.Reason }.Select(AuditExport.Cell))).Append("\r\n");
        return builder.ToString();
    }

    private static byte[] Pdf(ComplianceResponse report)
    {
        var pdf = new PdfReport($"Compliance report: {report.OrganizationName}", report.GeneratedAt)
            .Fields(("Organization", report.OrganizationId), ("Generated", report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture)),
                ("Security score", $"{report.SecurityScore} of 100"))
            .Note("Evidence from the platform's state at the time of generation; an aid for auditors, not a certification.");
        foreach (var framework in report.Frameworks)
        {
            pdf.Heading($"{framework.Name}: {framework.Met} met, {framework.PartlyMet} partly met, {framework.NotMet} not met");
            pdf.Table([new PdfColumn("Control", 2.2), new PdfColumn("Reference", 1.2), new PdfColumn("Status", 0.9), new PdfColumn("Reason", 4)],
                framework.Controls.Select(c => (IReadOnlyList<string>)[c.Title, c.Reference, c.Status.Replace('_', ' '), c.Reason]));
        }
        return pdf.ToBytes();
    }
}
