using System.Reflection;

namespace Intelagent.Server.Platform.Authorization;

/// <summary>
/// The permission catalogue: stable dotted codes, one authorization policy each. Tenant permissions
/// are granted by a membership's <see cref="Role"/>; <c>platform.*</c> permissions by the operator flag.
/// </summary>
public static class Permissions
{
    public const string OrganizationRead = "organization.read";
    public const string OrganizationUpdate = "organization.update";
    public const string OrganizationDelete = "organization.delete";
    public const string OrganizationTransfer = "organization.transfer";

    public const string MembersRead = "members.read";
    public const string MembersInvite = "members.invite";
    public const string MembersUpdateRole = "members.update_role";
    public const string MembersRemove = "members.remove";

    public const string TeamsRead = "teams.read";
    public const string TeamsCreate = "teams.create";
    public const string TeamsManage = "teams.manage";
    public const string TeamsDelete = "teams.delete";

    public const string ProjectsRead = "projects.read";
    public const string ProjectsCreate = "projects.create";
    public const string ProjectsManage = "projects.manage";
    public const string ProjectsDelete = "projects.delete";

    public const string BillingRead = "billing.read";
    public const string BillingManage = "billing.manage";
    public const string InvoicesRead = "invoices.read";
    public const string InvoicesManage = "invoices.manage";
    public const string PaymentsProcess = "payments.process";
    public const string FinancialMetricsRead = "financial.metrics.read";
    public const string FinancialExport = "financial.export";

    public const string UsageRead = "usage.read";
    public const string UsageAlertsManage = "usage.alerts.manage";
    public const string UsageReport = "usage.report";

    public const string SecuritySettingsRead = "security.settings.read";
    public const string SecuritySettingsManage = "security.settings.manage";
    public const string AuditRead = "audit.read";
    public const string AuditExport = "audit.export";
    public const string ComplianceRead = "compliance.read";
    public const string ComplianceManage = "compliance.manage";
    public const string ApiKeysRead = "api_keys.read";
    public const string ApiKeysManage = "api_keys.manage";
    public const string IncidentsRead = "incidents.read";
    public const string IncidentsReport = "incidents.report";
    public const string IncidentsManage = "incidents.manage";

    public const string InsightsRead = "insights.read";
    public const string InsightsQuery = "insights.query";
    public const string EventsReport = "events.report";

    public const string ActivityRead = "activity.read";
    public const string NotificationsRead = "notifications.read";
    public const string DocumentsRead = "documents.read";
    public const string DocumentsEdit = "documents.edit";

    // Platform operator permissions: cross-tenant, never granted by an organization role.
    public const string PlatformOrganizationsRead = "platform.organizations.read";
    public const string PlatformOrganizationsManage = "platform.organizations.manage";
    public const string PlatformFinanceRead = "platform.finance.read";
    public const string PlatformFinanceManage = "platform.finance.manage";
    public const string PlatformUsersRead = "platform.users.read";
    public const string PlatformOutboxRead = "platform.outbox.read";

    public const string PlatformPrefix = "platform.";

    public static bool IsPlatform(string permission) => permission.StartsWith(PlatformPrefix, StringComparison.Ordinal);

    /// <summary>Every permission code, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(Permissions)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.Name != nameof(PlatformPrefix))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    public static IReadOnlyList<string> Tenant { get; } = All.Where(p => !IsPlatform(p)).ToArray();
    public static IReadOnlyList<string> Platform { get; } = All.Where(IsPlatform).ToArray();

    /// <summary>
    /// Tenant permissions an operator holds in every organization without being a member: reads, for
    /// support. Operator writes on a tenant go through <c>platform.*</c> routes and are audited there.
    /// </summary>
    public static bool OperatorMayUseInAnyTenant(string permission) =>
        permission.EndsWith(".read", StringComparison.Ordinal) && permission != NotificationsRead;
}
