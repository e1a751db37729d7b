using Intelagent.Server.Platform.Authorization;

namespace Intelagent.Server.Portal.Shared;

/// <summary>Roles as the API spells them (lower case), for labels.</summary>
public static class RoleNames
{
    public static string Of(Role? role) => role?.ToString().ToLowerInvariant() ?? "operator";
    public static string Of(TeamRole role) => role == TeamRole.Lead ? "lead" : "member";
}
