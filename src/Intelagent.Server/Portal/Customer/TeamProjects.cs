using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Portal.Customer;

internal static class TeamProjects
{
    /// <summary>Projects per team in the organization in context; empty when the caller may not read projects.</summary>
    public static async Task<Dictionary<string, int>> CountsAsync(PortalSession portal)
    {
        var projects = await portal.RunAsync(Permissions.ProjectsRead, async (services, cancellationToken) =>
            (Result<Page<ProjectResponse>>)await services.GetRequiredService<ProjectService>().ListAsync(new PageRequest(PageRequest.MaxLimit, null), null, cancellationToken));
        return projects.IsSuccess
            ? projects.Value!.Items.Where(p => p.TeamId is not null).GroupBy(p => p.TeamId!).ToDictionary(g => g.Key, g => g.Count())
            : [];
    }
}
