using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// What one user may receive right now: their memberships (with roles), their teams and the operator
/// flag. The SignalR groups a connection joins and the replay filter are both derived from it, side
/// by side here, so live delivery and replay cannot disagree about who sees what.
/// </summary>
public sealed record RealtimeAccess(string UserId, bool IsOperator, IReadOnlyDictionary<string, Role> Roles, IReadOnlySet<string> Teams)
{
    public static async Task<RealtimeAccess> LoadAcrossTenantsAsync(AppDb db, string userId, bool isOperator, CancellationToken cancellationToken)
    {
        var roles = await db.Memberships.IgnoreQueryFilters().AsNoTracking().Where(m => m.UserId == userId)
            .ToDictionaryAsync(m => m.OrganizationId, m => m.Role, cancellationToken);
        var teams = await db.TeamMembers.IgnoreQueryFilters().AsNoTracking().Where(t => t.UserId == userId)
            .Select(t => t.TeamId).ToListAsync(cancellationToken);
        return new RealtimeAccess(userId, isOperator, roles, teams.ToHashSet());
    }

    /// <summary>The groups a connection of this user belongs to.</summary>
    public IReadOnlySet<string> Groups()
    {
        var groups = new HashSet<string> { RealtimeGroups.User(UserId) };
        foreach (var (organizationId, role) in Roles)
        {
            groups.Add(RealtimeGroups.Organization(organizationId));
            foreach (var permission in RolePermissions.For(role)) groups.Add(RealtimeGroups.OrganizationWith(organizationId, permission));
        }
        foreach (var team in Teams) groups.Add(RealtimeGroups.Team(team));
        if (IsOperator) groups.Add(RealtimeGroups.Operators);
        return groups;
    }

    /// <summary>Whether this user may receive the event: the replay's filter, equal to group membership.</summary>
    public bool Allows(RealtimeEvent e) => e.Audience switch
    {
        RealtimeAudience.Organization => Roles.TryGetValue(e.OrganizationId, out var role) && (e.Permission is null || RolePermissions.Grants(role, e.Permission)),
        RealtimeAudience.Team => Roles.ContainsKey(e.OrganizationId) && e.AudienceId is not null && Teams.Contains(e.AudienceId),
        RealtimeAudience.User => Roles.ContainsKey(e.OrganizationId) && e.AudienceId == UserId,
        RealtimeAudience.Operators => IsOperator,
        _ => false,
    };
}

/// <summary>SignalR group names.</summary>
public static class RealtimeGroups
{
    public const string Operators = "operators";

    public static string Organization(string organizationId) => $"org:{organizationId}";

    /// <summary>Members of the organization whose role grants the permission.</summary>
    public static string OrganizationWith(string organizationId, string permission) => $"org:{organizationId}:{permission}";

    public static string Team(string teamId) => $"team:{teamId}";

    public static string User(string userId) => $"user:{userId}";

    /// <summary>The one group an event goes to.</summary>
    public static string Of(RealtimeEvent e) => e.Audience switch
    {
        RealtimeAudience.Organization => e.Permission is null ? Organization(e.OrganizationId) : OrganizationWith(e.OrganizationId, e.Permission),
        RealtimeAudience.Team => Team(e.AudienceId!),
        RealtimeAudience.User => User(e.AudienceId!),
        _ => Operators,
    };
}
