using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Organizations;

/// <summary>The spec's Teams routes and team membership.</summary>
public static class TeamEndpoints
{
    public static IEndpointRouteBuilder MapTeamEndpoints(this IEndpointRouteBuilder app)
    {
        var nested = app.MapGroup("/api/organizations/{orgId}/teams").WithTags("Teams");
        nested.MapGet("/", ListAsync).RequirePermission(Permissions.TeamsRead).WithName("ListTeams").Produces<Page<TeamResponse>>().WithProblems(400, 404);
        nested.MapPost("/", CreateAsync).RequirePermission(Permissions.TeamsCreate).WithName("CreateTeam").Produces<TeamResponse>(201).WithProblems(400, 403, 404, 409);

        var group = app.MapGroup("/api/teams/{id}").WithTags("Teams");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.TeamsRead).WithName("GetTeam").Produces<TeamResponse>().WithProblems(404);
        group.MapPatch("/", UpdateAsync).RequirePermission(Permissions.TeamsManage).WithName("UpdateTeam").Produces<TeamResponse>().WithProblems(400, 403, 404, 409, 412).HonoursIfMatch();
        group.MapDelete("/", DeleteAsync).RequirePermission(Permissions.TeamsDelete).WithName("DeleteTeam").Produces(204).WithProblems(403, 404);
        group.MapGet("/members", MembersAsync).RequirePermission(Permissions.TeamsRead).WithName("ListTeamMembers").Produces<IReadOnlyList<TeamMemberResponse>>().WithProblems(404);
        group.MapPost("/members", AddMemberAsync).RequirePermission(Permissions.TeamsManage).WithName("AddTeamMember").Produces(204).WithProblems(400, 403, 404, 409);
        group.MapPatch("/members/{userId}", SetRoleAsync).RequirePermission(Permissions.TeamsManage).WithName("SetTeamRole").Produces(204).WithProblems(400, 403, 404);
        group.MapDelete("/members/{userId}", RemoveMemberAsync).RequirePermission(Permissions.TeamsManage).WithName("RemoveTeamMember").Produces(204).WithProblems(403, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, TeamService teams, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await teams.ListAsync(page.Value!, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> CreateAsync(CreateTeamRequest request, TeamService teams, HttpContext context, CancellationToken cancellationToken)
    {
        var created = await teams.CreateAsync(request, cancellationToken);
        if (!created.IsSuccess) return created.Error!.ToResult();
        var team = (await teams.GetAsync(created.Value!.Id, cancellationToken))!.Value;
        ETags.Set(context, team.Version);
        return TypedResults.Created($"/api/teams/{team.Team.Id}", team.Team);
    }

    private static async Task<IResult> GetAsync(string id, TeamService teams, HttpContext context, CancellationToken cancellationToken)
    {
        var team = await teams.GetAsync(id, cancellationToken);
        if (team is null) return Error.NotFound("team").ToResult();
        ETags.Set(context, team.Value.Version);
        return TypedResults.Ok(team.Value.Team);
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateTeamRequest request, TeamService teams, HttpContext context, CancellationToken cancellationToken) =>
        (await teams.UpdateAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(t =>
        {
            ETags.Set(context, t.Version);
            return TypedResults.Ok(TeamService.Describe(t, [], []));
        });

    private static async Task<IResult> DeleteAsync(string id, TeamService teams, CancellationToken cancellationToken) =>
        (await teams.DeleteAsync(id, cancellationToken)).NoContentOr();

    private static async Task<IResult> MembersAsync(string id, TeamService teams, CancellationToken cancellationToken)
    {
        var team = await teams.GetAsync(id, cancellationToken);
        return team is null ? Error.NotFound("team").ToResult() : TypedResults.Ok(team.Value.Team.Members);
    }

    private static async Task<IResult> AddMemberAsync(string id, AddTeamMemberRequest request, TeamService teams, CancellationToken cancellationToken) =>
        (await teams.AddMemberAsync(id, request, cancellationToken)).NoContentOr();

    private static async Task<IResult> SetRoleAsync(string id, string userId, SetTeamRoleRequest request, TeamService teams, CancellationToken cancellationToken) =>
        (await teams.SetMemberRoleAsync(id, userId, request.Role, cancellationToken)).NoContentOr();

    private static async Task<IResult> RemoveMemberAsync(string id, string userId, TeamService teams, CancellationToken cancellationToken) =>
        (await teams.RemoveMemberAsync(id, userId, cancellationToken)).NoContentOr();
}
