using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Security.Incidents;

/// <summary>The spec's incident routes, for the organization in context (X-Organization-Id) or of the incident in the route.</summary>
public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/incidents").WithTags("Incidents");
        group.MapPost("/", ReportAsync).RequirePermission(Permissions.IncidentsReport).WithName("ReportIncident")
            .WithSummary("Reports an incident; admins and owners are notified at once").Produces<IncidentResponse>(201).WithProblems(400, 403, 404);
        group.MapGet("/", ListAsync).RequirePermission(Permissions.IncidentsRead).WithName("ListIncidents")
            .WithSummary("Newest first; ?status=open|investigating|resolved").Produces<Page<IncidentResponse>>().WithProblems(400, 403, 404);
        group.MapGet("/{id}", GetAsync).RequirePermission(Permissions.IncidentsRead).WithName("GetIncident").Produces<IncidentResponse>().WithProblems(403, 404);
        group.MapPatch("/{id}", UpdateAsync).RequirePermission(Permissions.IncidentsManage).WithName("UpdateIncident")
            .WithSummary("Moves the status (open, investigating, resolved) and adds a timeline step").Produces<IncidentResponse>().WithProblems(400, 403, 404, 409, 412).HonoursIfMatch();
        return app;
    }

    private static async Task<IResult> ReportAsync(ReportIncidentRequest request, IncidentService incidents, CancellationToken cancellationToken) =>
        (await incidents.ReportAsync(request, cancellationToken)).ToHttp(i => TypedResults.Created($"/api/security/incidents/{i.Id}", i));

    private static async Task<IResult> ListAsync(string? status, int? limit, string? cursor, IncidentService incidents, CancellationToken cancellationToken)
    {
        IncidentStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<IncidentStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                return Error.Validation("status", "must be open, investigating or resolved.").ToResult();
            wanted = parsed;
        }
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await incidents.ListAsync(page.Value!, wanted, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> GetAsync(string id, IncidentService incidents, HttpContext context, CancellationToken cancellationToken)
    {
        if (await incidents.GetAsync(id, cancellationToken) is not { } found) return Error.NotFound("incident").ToResult();
        ETags.Set(context, found.Version);
        return TypedResults.Ok(found.Incident);
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateIncidentRequest request, IncidentService incidents, HttpContext context, CancellationToken cancellationToken) =>
        (await incidents.UpdateAsync(id, request, v => ETags.IfMatchAllows(context, v), cancellationToken)).ToHttp(found =>
        {
            ETags.Set(context, found.Version);
            return TypedResults.Ok(found.Incident);
        });
}
