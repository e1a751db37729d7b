using System.Collections.Frozen;
using static Intelagent.Server.Platform.Authorization.Permissions;

namespace Intelagent.Server.Platform.Authorization;

/// <summary>The five organization roles, lowest first, so that comparing them compares their rank.</summary>
public enum Role
{
    Viewer = 0,
    Member = 1,
    Manager = 2,
    Admin = 3,
    Owner = 4,
}

/// <summary>The role of a member inside one team. A team lead who is a manager manages that team.</summary>
public enum TeamRole
{
    Member = 0,
    Lead = 1,
}

/// <summary>
/// Each role's permission set. Sets nest (owner ⊇ admin ⊇ manager ⊇ member ⊇ viewer), which a unit
/// test checks. Some manager grants apply only to the teams the manager leads (<see cref="LedTeamsOnly"/>):
/// that is the hierarchy the spec asks for.
/// </summary>
public static class RolePermissions
{
    private static readonly string[] ViewerSet =
    [
        OrganizationRead, MembersRead, TeamsRead, ProjectsRead, UsageRead, InsightsRead,
        ActivityRead, NotificationsRead, DocumentsRead,
    ];

    private static readonly string[] MemberSet =
    [
        .. ViewerSet, InsightsQuery, DocumentsEdit, IncidentsReport,
    ];

    private static readonly string[] ManagerSet =
    [
        .. MemberSet, MembersInvite, TeamsCreate, TeamsManage, ProjectsCreate, ProjectsManage, ProjectsDelete,
        BillingRead, InvoicesRead, UsageReport, EventsReport, IncidentsRead, ApiKeysRead, SecuritySettingsRead,
    ];

    private static readonly string[] AdminSet =
    [
        .. ManagerSet, OrganizationUpdate, MembersUpdateRole, MembersRemove, TeamsDelete,
        BillingManage, InvoicesManage, PaymentsProcess, FinancialMetricsRead, FinancialExport,
        UsageAlertsManage, SecuritySettingsManage, AuditRead, AuditExport, ComplianceRead, ComplianceManage,
        ApiKeysManage, IncidentsManage,
    ];

    private static readonly string[] OwnerSet = [.. AdminSet, OrganizationDelete, OrganizationTransfer];

    private static readonly FrozenDictionary<Role, FrozenSet<string>> Sets = new Dictionary<Role, FrozenSet<string>>
    {
        [Role.Viewer] = ViewerSet.ToFrozenSet(),
        [Role.Member] = MemberSet.ToFrozenSet(),
        [Role.Manager] = ManagerSet.ToFrozenSet(),
        [Role.Admin] = AdminSet.ToFrozenSet(),
        [Role.Owner] = OwnerSet.ToFrozenSet(),
    }.ToFrozenDictionary();

    /// <summary>Grants a manager holds only for teams they lead and the projects of those teams.</summary>
    public static readonly FrozenSet<string> LedTeamsOnly =
        new[] { TeamsManage, ProjectsManage, ProjectsDelete }.ToFrozenSet();

    public static IReadOnlySet<string> For(Role role) => Sets[role];

    public static bool Grants(Role role, string permission) => Sets[role].Contains(permission);

    /// <summary>True when the grant needs the team-lead check (a manager acting on a team resource).</summary>
    public static bool IsScopedToLedTeams(Role role, string permission) =>
        role == Role.Manager && LedTeamsOnly.Contains(permission);
}
