using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.Admin.Security;

public sealed record PlatformAlertRow(string Id, string OrganizationId, string OrganizationName, string Kind, string Severity, string Title, string? Detail, DateTimeOffset CreatedAt,
    DateTimeOffset? AcknowledgedAt = null, string? AcknowledgedByName = null);

public sealed record PlatformIncidentRow(string Id, string OrganizationId, string OrganizationName, string Title, IncidentSeverity Severity, IncidentStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt);

/// <summary>Alerts per severity in the window, and incidents not yet resolved, over every organization.</summary>
public sealed record PlatformSecuritySummary(IReadOnlyDictionary<string, int> AlertsBySeverity, int OrganizationsAlerted, int OpenIncidents);

/// <summary>
/// The operators' view of security across every organization (the admin portal's /admin/security).
/// Deliberately cross-tenant: it runs behind platform.organizations.read in <see cref="PortalSession.RunAsync{T}"/>
/// and refuses a caller who is not an operator even if called otherwise.
/// </summary>
internal static class AdminSecurityQueries
{
    /// <summary>
    /// The newest alerts of every organization, with the organization's name and who acknowledged each
    /// (if anyone did); optionally one severity only, optionally only those nobody has acknowledged yet.
    /// </summary>
    public static async Task<Result<List<PlatformAlertRow>>> AlertsAcrossTenantsAsync(IServiceProvider services, string? severity, int count, CancellationToken cancellationToken,
        bool openOnly = false)
    {
        if (Refused(services) is { } refused) return refused;
        var db = services.GetRequiredService<AppDb>();
        var alerts = db.Set<SecurityAlert>().IgnoreQueryFilters().AsNoTracking();
        if (!string.IsNullOrEmpty(severity)) alerts = alerts.Where(a => a.Severity == severity);
        if (openOnly) alerts = alerts.Where(a => a.AcknowledgedAt == null);
        return await alerts.Join(db.Organizations.IgnoreQueryFilters(), a => a.OrganizationId, o => o.Id, (a, o) => new { Alert = a, o.Name })
            .OrderByDescending(x => x.Alert.Id).Take(count)
            .Select(x => new PlatformAlertRow(x.Alert.Id, x.Alert.OrganizationId, x.Name, x.Alert.Kind, x.Alert.Severity, x.Alert.Title, x.Alert.Detail, x.Alert.CreatedAt,
                x.Alert.AcknowledgedAt, db.Users.IgnoreQueryFilters().Where(u => u.Id == x.Alert.AcknowledgedByUserId).Select(u => u.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The newest incidents of every organization, with the organization's name; optionally one status only.</summary>
    public static async Task<Result<List<PlatformIncidentRow>>> IncidentsAcrossTenantsAsync(IServiceProvider services, IncidentStatus? status, int count, CancellationToken cancellationToken)
    {
        if (Refused(services) is { } refused) return refused;
        var db = services.GetRequiredService<AppDb>();
        var incidents = db.Set<Incident>().IgnoreQueryFilters().AsNoTracking();
        if (status is not null) incidents = incidents.Where(i => i.Status == status);
        return await incidents.Join(db.Organizations.IgnoreQueryFilters(), i => i.OrganizationId, o => o.Id, (i, o) => new { Incident = i, o.Name })
            .OrderByDescending(x => x.Incident.Id).Take(count)
            .Select(x => new PlatformIncidentRow(x.Incident.Id, x.Incident.OrganizationId, x.Name, x.Incident.Title, x.Incident.Severity, x.Incident.Status,
                x.Incident.CreatedAt, x.Incident.ResolvedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Counts since <paramref name="since"/>: alerts per severity and how many organizations had any; open or investigating incidents now.</summary>
    public static async Task<Result<PlatformSecuritySummary>> SummaryAcrossTenantsAsync(IServiceProvider services, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (Refused(services) is { } refused) return refused;
        var db = services.GetRequiredService<AppDb>();
        var recent = db.Set<SecurityAlert>().IgnoreQueryFilters().AsNoTracking().Where(a => a.CreatedAt >= since);
        var bySeverity = await recent.GroupBy(a => a.Severity).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var organizations = await recent.Select(a => a.OrganizationId).Distinct().CountAsync(cancellationToken);
        var open = await db.Set<Incident>().IgnoreQueryFilters().AsNoTracking().CountAsync(i => i.Status != IncidentStatus.Resolved, cancellationToken);
        return new PlatformSecuritySummary(bySeverity, organizations, open);
    }

    private static Error? Refused(IServiceProvider services) =>
        services.GetRequiredService<RequestContext>().IsOperator ? null : Error.Forbidden("forbidden", "Only platform operators see security across organizations.");
}
