using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Organizations;

public static class ProjectEndpoints
{
    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var nested = app.MapGroup("/api/organizations/{orgId}/projects").WithTags("Projects");
        nested.MapGet("/", ListAsync).RequirePermission(Permissions.ProjectsRead).WithName("ListProjects").Produces<Page<ProjectResponse>>().WithProblems(400, 404);
        nested.MapPost("/", CreateAsync).RequirePermission(Permissions.ProjectsCreate).WithName("CreateProject").Produces<ProjectResponse>(201).WithProblems(400, 403, 404, 409);

        var group = app.MapGroup("/api/projects/{id}").WithTags("Projects");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.ProjectsRead).WithName("GetProject").Produces<ProjectResponse>().WithProblems(404);
        group.MapPatch("/", UpdateAsync).RequirePermission(Permissions.ProjectsManage).WithName("UpdateProject").Produces<ProjectResponse>().WithProblems(400, 403, 404, 409, 412).HonoursIfMatch();
        group.MapDelete("/", DeleteAsync).RequirePermission(Permissions.ProjectsDelete).WithName("DeleteProject").Produces(204).WithProblems(403, 404);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, string? teamId, ProjectService projects, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await projects.ListAsync(page.Value!, teamId, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> CreateAsync(CreateProjectRequest request, ProjectService projects, HttpContext context, CancellationToken cancellationToken) =>
        (await projects.CreateAsync(request, cancellationToken)).ToHttp(p =>
        {
            ETags.Set(context, p.Version);
            return TypedResults.Created($"/api/projects/{p.Id}", ProjectService.Describe(p));
        });

    private static async Task<IResult> GetAsync(string id, ProjectService projects, HttpContext context, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(id, cancellationToken);
        if (project is null) return Error.NotFound("project").ToResult();
        ETags.Set(context, project.Version);
        return TypedResults.Ok(ProjectService.Describe(project));
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateProjectRequest request, ProjectService projects, HttpContext context, CancellationToken cancellationToken) =>
        (await projects.UpdateAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(p =>
        {
            ETags.Set(context, p.Version);
            return TypedResults.Ok(ProjectService.Describe(p));
        });

    private static async Task<IResult> DeleteAsync(string id, ProjectService projects, CancellationToken cancellationToken) =>
        (await projects.DeleteAsync(id, cancellationToken)).NoContentOr();
}
