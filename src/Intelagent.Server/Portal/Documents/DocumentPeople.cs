using Intelagent.Server.Documents;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.Documents;

/// <summary>Reads the document pages need beyond <see cref="DocumentService"/>; each runs inside <see cref="PortalSession.RunAsync{T}"/>.</summary>
internal static class DocumentPeople
{
    /// <summary>The names of the organization's members among <paramref name="userIds"/> (someone who left shows as "a former member").</summary>
    public static async Task<Result<Dictionary<string, string>>> NamesAsync(IServiceProvider services, IEnumerable<string?> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.OfType<string>().Distinct().ToList();
        var db = services.GetRequiredService<AppDb>();
        return await db.Memberships.AsNoTracking().Where(m => ids.Contains(m.UserId))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Name })
            .ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
    }

    /// <summary>
    /// Whether the caller may delete and restore the document: its creator, or a role that manages
    /// every project (the rule of <see cref="DocumentService"/>, repeated only to hide buttons).
    /// </summary>
    public static bool MayManage(PortalSession portal, string organizationId, string createdByUserId) =>
        createdByUserId == portal.UserId || portal.Organizations.FirstOrDefault(o => o.Id == organizationId)?.Role is { } role
            && RolePermissions.Grants(role, Permissions.ProjectsManage) && !RolePermissions.IsScopedToLedTeams(role, Permissions.ProjectsManage);

    public static string NameOf(IReadOnlyDictionary<string, string> names, string? userId) =>
        userId is null ? "the system" : names.GetValueOrDefault(userId, "a former member");
}
