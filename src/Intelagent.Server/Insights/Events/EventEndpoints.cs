using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// Product events: an organization's API key or member reports for that organization; an operator
/// reports for any organization through the admin route, naming it in every event.
/// </summary>
public static class EventEndpoints
{
    public static IEndpointRouteBuilder MapProductEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", ReportAsync).RequirePermission(Permissions.EventsReport).WithTags("Insights").WithName("ReportProductEvents")
            .WithSummary("A batch of 1 to 1000 product events (chatbot, email, lead, custom.*), idempotent by event id; invalid events are reported by index")
            .Produces<ReportProductEventsResponse>().WithProblems(400, 403, 404, 422);
        app.MapPost("/api/admin/events", ReportAcrossTenantsAsync).RequirePermission(Permissions.PlatformOrganizationsManage).WithTags("Admin")
            .WithName("ReportProductEventsAcrossOrganizations")
            .WithSummary("Product events from the platform's own services: each event names its organizationId")
            .Produces<ReportProductEventsResponse>().WithProblems(400, 403, 422);
        return app;
    }

    private static async Task<IResult> ReportAsync(ReportProductEventsRequest? request, ProductEventIngestion ingestion, CancellationToken cancellationToken) =>
        (await ingestion.ReportAsync(request, forOperator: false, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> ReportAcrossTenantsAsync(ReportProductEventsRequest? request, ProductEventIngestion ingestion, CancellationToken cancellationToken) =>
        (await ingestion.ReportAsync(request, forOperator: true, cancellationToken)).ToHttp(r => TypedResults.Ok(r));
}
