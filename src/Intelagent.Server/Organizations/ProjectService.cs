using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

public sealed class ProjectService(AppDb db, Usage.UsageCapacity capacity)
{
    public async Task<Result<Project>> CreateAsync(CreateProjectRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("name", request.Name, 100).Length("description", request.Description, 2000);
        if (validation.Failed) return validation.ToError();
        if (request.TeamId is not null && !await db.Teams.AnyAsync(t => t.Id == request.TeamId, cancellationToken))
            return Error.Validation("teamId", "is not a team of this organization.");
        // A manager's projects belong to a team they lead, or they could not manage them afterwards.
        if (db.Request.Role == Role.Manager && request.TeamId is not null &&
            !await db.TeamMembers.AnyAsync(m => m.TeamId == request.TeamId && m.UserId == db.Request.UserId && m.Role == TeamRole.Lead, cancellationToken))
            return Error.Forbidden("forbidden", "Managers create projects only in the teams they lead.");
        var name = request.Name!.Trim();
        var normalized = name.ToUpperInvariant();
        if (await db.Projects.AnyAsync(p => p.NormalizedName == normalized, cancellationToken))
            return Error.Conflict("project_name_taken", $"A project named '{name}' already exists in this organization.");
        if (await capacity.ProjectAvailableAsync(cancellationToken) is { } noRoom) return noRoom;
        var now = db.Clock.GetUtcNow();
        var project = new Project
        {
            Id = Id.New(IdPrefix.Project, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            TeamId = request.TeamId,
            Name = name,
            NormalizedName = normalized,
            Description = request.Description,
            Status = ProjectStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Projects.Add(project);
        db.Raise(new ProjectChanged(project.OrganizationId, project.Id, project.TeamId, "created"));
        await db.SaveChangesAsync(cancellationToken);
        return project;
    }

    public Task<Page<ProjectResponse>> ListAsync(PageRequest page, string? teamId, CancellationToken cancellationToken)
    {
        var query = db.Projects.AsNoTracking();
        if (teamId is not null) query = query.Where(p => p.TeamId == teamId);
        return query.OrderBy(p => p.Id).ToPageAsync(page, (q, after) => q.Where(p => string.Compare(p.Id, after) > 0), p => p.Id, Describe, cancellationToken);
    }

    public Task<Project?> GetAsync(string id, CancellationToken cancellationToken) =>
        db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);

    public async Task<Result<Project>> UpdateAsync(string id, UpdateProjectRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var validation = new Validation().OptionalText("name", request.Name, 100).Length("description", request.Description, 2000);
        if (validation.Failed) return validation.ToError();
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (project is null) return Error.NotFound("project");
        if (!ifMatch(project.Version)) return Error.Stale("project");
        if (request.Name is not null && request.Name.Trim() != project.Name)
        {
            var normalized = request.Name.Trim().ToUpperInvariant();
            if (await db.Projects.AnyAsync(p => p.NormalizedName == normalized && p.Id != id, cancellationToken))
                return Error.Conflict("project_name_taken", $"A project named '{request.Name.Trim()}' already exists in this organization.");
            project.Name = request.Name.Trim();
            project.NormalizedName = normalized;
        }
        if (request.Description is not null) project.Description = request.Description;
        if (request.Status is not null) project.Status = request.Status.Value;
        if (request.ClearTeam == true) project.TeamId = null;
        else if (request.TeamId is not null && request.TeamId != project.TeamId)
        {
            if (!await db.Teams.AnyAsync(t => t.Id == request.TeamId, cancellationToken)) return Error.Validation("teamId", "is not a team of this organization.");
            if (db.Request.Role == Role.Manager) return Error.Forbidden("forbidden", "Managers cannot move projects between teams.");
            project.TeamId = request.TeamId;
        }
        if (db.ChangeTracker.HasChanges())
        {
            project.Version++;
            project.UpdatedAt = db.Clock.GetUtcNow();
            db.Raise(new ProjectChanged(project.OrganizationId, project.Id, project.TeamId, "updated"));
            await db.SaveChangesAsync(cancellationToken);
        }
        return project;
    }

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (project is null) return Error.NotFound("project");
        db.Projects.Remove(project);
        db.Raise(new ProjectChanged(project.OrganizationId, project.Id, project.TeamId, "deleted"));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public static ProjectResponse Describe(Project p) => new(p.Id, p.OrganizationId, p.TeamId, p.Name, p.Description, p.Status, p.CreatedAt, p.UpdatedAt);
}
