using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Audit;

/// <summary>The audit trail of the organization in context (X-Organization-Id): list, verify, export.</summary>
public static class AuditLogEndpoints
{
    public static IEndpointRouteBuilder MapAuditLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/audit-logs").WithTags("Audit trail");
        group.MapGet("/", ListAsync).RequirePermission(Permissions.AuditRead).WithName("ListAuditLogs")
            .WithSummary("Newest first; filters: actor, action (exact or prefix such as team.), targetType, targetId, outcome, from, to")
            .Produces<Page<AuditEntryResponse>>().WithProblems(400, 403, 404);
        group.MapGet("/verify", VerifyAsync).RequirePermission(Permissions.AuditRead).WithName("VerifyAuditLogs")
            .WithSummary("Recomputes the organization's hash chain and reports the first broken entry")
            .Produces<AuditVerification>().WithProblems(400, 403, 404);
        group.MapGet("/export", ExportAsync).RequirePermission(Permissions.AuditExport).WithName("ExportAuditLogs")
            .WithSummary("The filtered log as CSV or JSON, streamed; the export is itself audited (audit.exported)")
            .Produces<IReadOnlyList<AuditEntryResponse>>().ProducesText(200, "text/csv").WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(
        string? actor, string? action, string? targetType, string? targetId, string? outcome, string? from, string? to, int? limit, string? cursor,
        AppDb db, RequestContext request, CancellationToken cancellationToken)
    {
        var filter = AuditLogFilter.Parse(actor, action, targetType, targetId, outcome, from, to);
        if (!filter.IsSuccess) return filter.Error!.ToResult();
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        var query = filter.Value!.Apply(Trail(db, request)).OrderByDescending(e => e.Id);
        return TypedResults.Ok(await query.ToPageAsync(page.Value!, (q, after) => q.Where(e => string.Compare(e.Id, after) < 0),
            e => e.Id, AuditEntryResponse.From, cancellationToken));
    }

    private static async Task<IResult> VerifyAsync(AuditChainVerifier verifier, RequestContext request, CancellationToken cancellationToken) =>
        TypedResults.Ok(await verifier.VerifyAsync(request.OrganizationId, cancellationToken));

    private static async Task<IResult> ExportAsync(
        string? format, string? actor, string? action, string? targetType, string? targetId, string? outcome, string? from, string? to,
        AppDb db, RequestContext request, HttpContext context, CancellationToken cancellationToken)
    {
        format = string.IsNullOrWhiteSpace(format) ? "csv" : format.Trim().ToLowerInvariant();
        if (format is not ("csv" or "json")) return Error.Validation("format", "must be csv or json.").ToResult();
        var filter = AuditLogFilter.Parse(actor, action, targetType, targetId, outcome, from, to);
        if (!filter.IsSuccess) return filter.Error!.ToResult();

        // Recorded before the first byte leaves: an export that was sent always has its entry.
        db.Audit("audit.exported", "audit_log", request.OrganizationId, filter.Value!.Describe(format));
        await db.SaveChangesAsync(cancellationToken);

        var rows = filter.Value.Apply(Trail(db, request)).OrderByDescending(e => e.Id);
        var fileName = $"audit-log-{db.Clock.GetUtcNow():yyyyMMdd-HHmmss}.{format}";
        return format == "csv"
            ? TypedResults.Stream(body => AuditExport.WriteCsvAsync(rows, body, context.RequestAborted), "text/csv; charset=utf-8", fileName)
            : TypedResults.Stream(body => AuditExport.WriteJsonAsync(rows, body, context.RequestAborted), "application/json; charset=utf-8", fileName);
    }

    /// <summary>The organization's own entries: the audit entity is not tenant-filtered (platform entries have none).</summary>
    private static IQueryable<Platform.Auditing.AuditEntry> Trail(AppDb db, RequestContext request) =>
        db.AuditEntries.AsNoTracking().Where(e => e.OrganizationId == request.OrganizationId);
}
