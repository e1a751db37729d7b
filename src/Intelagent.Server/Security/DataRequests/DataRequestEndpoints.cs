using System.Text;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Security.DataRequests;

/// <summary>Right of access and erasure for the organization in context (X-Organization-Id, or the request's id).</summary>
public static class DataRequestEndpoints
{
    public static IEndpointRouteBuilder MapDataRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/data-requests").WithTags("Data requests");
        group.MapPost("/", CreateAsync).RequirePermission(Permissions.ComplianceManage).WithName("CreateDataRequest")
            .WithSummary("{type: export|delete, subjectEmail}: answered at once; a deletion erases or pseudonymises the person in every module")
            .Produces<DataRequestResponse>(201).WithProblems(400, 403, 404, 409);
        group.MapGet("/", ListAsync).RequirePermission(Permissions.ComplianceManage).WithName("ListDataRequests")
            .Produces<Page<DataRequestResponse>>().WithProblems(400, 403, 404);
        group.MapGet("/{id}", GetAsync).RequirePermission(Permissions.ComplianceManage).WithName("GetDataRequest")
            .Produces<DataRequestResponse>().WithProblems(403, 404);
        group.MapGet("/{id}/download", DownloadAsync).RequirePermission(Permissions.ComplianceManage).WithName("DownloadDataRequestExport")
            .WithSummary("The export bundle as JSON; the download is audited").Produces(200, contentType: "application/json").WithProblems(403, 404, 409);
        return app;
    }

    private static async Task<IResult> CreateAsync(CreateDataRequest request, DataRequestService requests, CancellationToken cancellationToken) =>
        (await requests.CreateAsync(request, cancellationToken)).ToHttp(r => TypedResults.Created($"/api/security/data-requests/{r.Id}", r));

    private static async Task<IResult> ListAsync(int? limit, string? cursor, DataRequestService requests, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await requests.ListAsync(page.Value!, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> GetAsync(string id, DataRequestService requests, CancellationToken cancellationToken) =>
        await requests.GetAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found) : Error.NotFound("data request").ToResult();

    private static async Task<IResult> DownloadAsync(string id, DataRequestService requests, CancellationToken cancellationToken) =>
        (await requests.DownloadAsync(id, cancellationToken)).ToHttp(json =>
            TypedResults.File(Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8", $"data-export-{id}.json"));
}
