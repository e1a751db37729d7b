using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

/// <summary>Teams and their members. A team lead who is a manager manages the team (see RolePermissions).</summary>
public sealed class TeamService(AppDb db)
{
    public async Task<Result<Team>> CreateAsync(CreateTeamRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("name", request.Name, 100).Length("description", request.Description, 1000);
        if (validation.Failed) return validation.ToError();
        var name = request.Name!.Trim();
        var normalized = name.ToUpperInvariant();
        if (await db.Teams.AnyAsync(t => t.NormalizedName == normalized, cancellationToken))
            return Error.Conflict("team_name_taken", $"A team named '{name}' already exists in this organization.");
        var now = db.Clock.GetUtcNow();
        var team = new Team
        {
            Id = Id.New(IdPrefix.Team, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Name = name,
            NormalizedName = normalized,
            Description = request.Description,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Teams.Add(team);
        // The creator leads what they create, so a manager can go on managing it.
        db.TeamMembers.Add(new TeamMember { Id = Id.New(IdPrefix.TeamMember, db.Clock), OrganizationId = team.OrganizationId, TeamId = team.Id, UserId = db.Request.UserId!, Role = TeamRole.Lead, CreatedAt = now });
        db.Raise(new TeamChanged(team.OrganizationId, team.Id, "created"));
        await db.SaveChangesAsync(cancellationToken);
        return team;
    }

    public Task<Page<TeamResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        db.Teams.AsNoTracking().OrderBy(t => t.Id)
            .ToPageAsync(page, (q, after) => q.Where(t => string.Compare(t.Id, after) > 0), t => t.Id, t => Describe(t, [], []), cancellationToken);

    public async Task<(TeamResponse Team, int Version)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null) return null;
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == id)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new TeamMemberResponse(u.Id, u.Email, u.Name, m.Role, m.CreatedAt))
            .ToListAsync(cancellationToken);
        var projects = await db.Projects.AsNoTracking().Where(p => p.TeamId == id).OrderBy(p => p.Name).Select(p => new ProjectSummary(p.Id, p.Name)).ToListAsync(cancellationToken);
        return (Describe(team, members.OrderByDescending(m => m.Role).ThenBy(m => m.Name).ToList(), projects), team.Version);
    }

    public async Task<Result<Team>> UpdateAsync(string id, UpdateTeamRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var validation = new Validation().OptionalText("name", request.Name, 100).Length("description", request.Description, 1000);
        if (validation.Failed) return validation.ToError();
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null) return Error.NotFound("team");
        if (!ifMatch(team.Version)) return Error.Stale("team");
        if (request.Name is not null && request.Name.Trim() != team.Name)
        {
            var normalized = request.Name.Trim().ToUpperInvariant();
            if (await db.Teams.AnyAsync(t => t.NormalizedName == normalized && t.Id != id, cancellationToken))
                return Error.Conflict("team_name_taken", $"A team named '{request.Name.Trim()}' already exists in this organization.");
            team.Name = request.Name.Trim();
            team.NormalizedName = normalized;
        }
        if (request.Description is not null) team.Description = request.Description;
        if (db.ChangeTracker.HasChanges())
        {
            team.Version++;
            team.UpdatedAt = db.Clock.GetUtcNow();
            db.Raise(new TeamChanged(team.OrganizationId, team.Id, "updated"));
            await db.SaveChangesAsync(cancellationToken);
        }
        return team;
    }

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null) return Error.NotFound("team");
        db.TeamMembers.RemoveRange(await db.TeamMembers.Where(m => m.TeamId == id).ToListAsync(cancellationToken));
        foreach (var project in await db.Projects.Where(p => p.TeamId == id).ToListAsync(cancellationToken)) project.TeamId = null;
        db.Teams.Remove(team);
        db.Raise(new TeamChanged(team.OrganizationId, team.Id, "deleted"));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<bool>> AddMemberAsync(string teamId, AddTeamMemberRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.UserId)) return Error.Validation("userId", "is required.");
        if (!await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken)) return Error.NotFound("team");
        if (!await db.Memberships.AnyAsync(m => m.UserId == request.UserId, cancellationToken))
            return Error.Validation("userId", "is not a member of this organization.");
        if (await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == request.UserId, cancellationToken))
            return Error.Conflict("already_in_team", "This person is already in the team.");
        db.TeamMembers.Add(new TeamMember
        {
            Id = Id.New(IdPrefix.TeamMember, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            TeamId = teamId,
            UserId = request.UserId,
            Role = request.Role ?? TeamRole.Member,
            CreatedAt = db.Clock.GetUtcNow(),
        });
        db.Raise(new TeamChanged(db.Request.OrganizationId!, teamId, "member_added"));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<bool>> SetMemberRoleAsync(string teamId, string userId, TeamRole? role, CancellationToken cancellationToken)
    {
        if (role is null) return Error.Validation("role", "is required: lead or member.");
        var member = await db.TeamMembers.FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, cancellationToken);
        if (member is null) return Error.NotFound("team member");
        if (member.Role != role)
        {
            member.Role = role.Value;
            db.Raise(new TeamChanged(member.OrganizationId, teamId, "member_role_changed"));
            await db.SaveChangesAsync(cancellationToken);
        }
        return true;
    }

    public async Task<Result<bool>> RemoveMemberAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        var member = await db.TeamMembers.FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, cancellationToken);
        if (member is null) return Error.NotFound("team member");
        db.TeamMembers.Remove(member);
        db.Raise(new TeamChanged(member.OrganizationId, teamId, "member_removed"));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public static TeamResponse Describe(Team t, IReadOnlyList<TeamMemberResponse> members, IReadOnlyList<ProjectSummary> projects) =>
        new(t.Id, t.OrganizationId, t.Name, t.Description, t.CreatedAt, t.UpdatedAt, members, projects);
}

/// <summary>Answers "does this manager lead the team this resource belongs to?" for the permission handler.</summary>
internal sealed class TeamLeadership(AppDb db) : ITeamLeadership
{
    public async Task<bool> LeadsTeamOfAsync(string userId, string resourceId, CancellationToken cancellationToken)
    {
        var teamId = Id.HasPrefix(resourceId, IdPrefix.Team) ? resourceId
            : Id.HasPrefix(resourceId, IdPrefix.Project) ? await db.Projects.Where(p => p.Id == resourceId).Select(p => p.TeamId).FirstOrDefaultAsync(cancellationToken)
            : null;
        return teamId is not null && await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == userId && m.Role == TeamRole.Lead, cancellationToken);
    }
}
