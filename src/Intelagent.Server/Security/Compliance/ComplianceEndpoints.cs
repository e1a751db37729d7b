using System.Text.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Compliance;

/// <summary>The compliance view of the organization in context (X-Organization-Id, the only membership, or the API key; or the report's id).</summary>
public static class ComplianceEndpoints
{
    public static IEndpointRouteBuilder MapComplianceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/compliance").WithTags("Compliance");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.ComplianceRead).WithName("GetCompliance")
            .WithSummary("GDPR, CCPA, HIPAA and SOC 2 controls, each met, partly met or not met with the reason")
            .Produces<ComplianceResponse>().WithProblems(400, 403, 404);
        group.MapGet("/report", ReportAsync).RequirePermission(Permissions.ComplianceRead).WithName("DownloadComplianceReport")
            .WithSummary("Generated now: ?format=pdf|csv|json (default pdf)").Produces(200, contentType: "application/pdf", additionalContentTypes: ["text/csv", "application/json"]).WithProblems(400, 403, 404);
        group.MapGet("/reports", ListAsync).RequirePermission(Permissions.ComplianceRead).WithName("ListComplianceReports")
            .WithSummary("The monthly reports kept, newest first").Produces<Page<ComplianceReportSummary>>().WithProblems(400, 403, 404);
        group.MapGet("/reports/{id}", DownloadKeptAsync).RequirePermission(Permissions.ComplianceRead).WithName("DownloadKeptComplianceReport")
            .WithSummary("A kept monthly report: ?format=pdf|csv|json (default pdf)").Produces(200, contentType: "application/pdf", additionalContentTypes: ["text/csv", "application/json"]).WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> GetAsync(ComplianceService compliance, RequestContext request, CancellationToken cancellationToken) =>
        TypedResults.Ok(await compliance.EvaluateAsync(request.OrganizationId!, cancellationToken));

    private static async Task<IResult> ReportAsync(string? format, ComplianceService compliance, RequestContext request, AppDb db, CancellationToken cancellationToken)
    {
        if (Format(format) is not { } chosen) return FormatError();
        var report = await compliance.EvaluateAsync(request.OrganizationId!, cancellationToken);
        // A report leaving the platform is an export, and exports are audited (issue 5).
        db.Audit("compliance.report_exported", "compliance_report", null, new { format = chosen });
        await db.SaveChangesAsync(cancellationToken);
        return File(report, chosen, $"compliance-{report.GeneratedAt:yyyyMMdd-HHmmss}");
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, AppDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        return TypedResults.Ok(await db.Set<ComplianceReport>().AsNoTracking().OrderByDescending(r => r.Id)
            .ToPageAsync(page.Value!, (q, after) => q.Where(r => string.Compare(r.Id, after) < 0), r => r.Id,
                r => new ComplianceReportSummary(r.Id, r.Period, r.GeneratedAt, JsonSerializer.Deserialize<ComplianceResponse>(r.Content, ComplianceService.Json)!.SecurityScore,
                    $"/api/security/compliance/reports/{r.Id}"), cancellationToken));
    }

    private static async Task<IResult> DownloadKeptAsync(string id, string? format, AppDb db, CancellationToken cancellationToken)
    {
        if (Format(format) is not { } chosen) return FormatError();
        var kept = await db.Set<ComplianceReport>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (kept is null) return Error.NotFound("compliance report").ToResult();
        db.Audit("compliance.report_exported", "compliance_report", kept.Id, new { format = chosen, period = kept.Period });
        await db.SaveChangesAsync(cancellationToken);
        return File(JsonSerializer.Deserialize<ComplianceResponse>(kept.Content, ComplianceService.Json)!, chosen, $"compliance-{kept.Period}");
    }

    private static string? Format(string? format) => (string.IsNullOrWhiteSpace(format) ? "pdf" : format.Trim().ToLowerInvariant()) switch
    {
        "pdf" => "pdf",
        "csv" => "csv",
        "json" => "json",
        _ => null,
    };

    private static IResult FormatError() => Error.Validation("format", "must be pdf, csv or json.").ToResult();

    private static IResult File(ComplianceResponse report, string format, string name)
    {
        var (content, contentType, extension) = ComplianceService.Render(report, format);
        return TypedResults.File(content, contentType, $"{name}.{extension}");
    }
}
