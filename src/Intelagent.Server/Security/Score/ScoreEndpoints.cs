using System.Text.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Score;

public sealed record ScoreSnapshotResponse(string Id, int Score, string Reason, IReadOnlyDictionary<string, int> Categories, IReadOnlyList<string> FailedChecks, DateTimeOffset CreatedAt);

/// <summary>The security score of the organization in context (X-Organization-Id, the only membership, or the API key).</summary>
public static class ScoreEndpoints
{
    public static IEndpointRouteBuilder MapScoreEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/score").WithTags("Security score");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.SecuritySettingsRead).WithName("GetSecurityScore")
            .WithSummary("0 to 100 from the organization's current state, per category, with recommendations and the points each adds")
            .Produces<SecurityScoreResponse>().WithProblems(400, 403, 404);
        group.MapGet("/history", HistoryAsync).RequirePermission(Permissions.SecuritySettingsRead).WithName("GetSecurityScoreHistory")
            .WithSummary("Snapshots, newest first: daily and after every settings or retention change")
            .Produces<Page<ScoreSnapshotResponse>>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> GetAsync(SecurityScoreService score, RequestContext request, CancellationToken cancellationToken) =>
        TypedResults.Ok(await score.ComputeAsync(request.OrganizationId!, cancellationToken));

    private static async Task<IResult> HistoryAsync(int? limit, string? cursor, AppDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        return TypedResults.Ok(await db.Set<SecurityScoreSnapshot>().AsNoTracking().OrderByDescending(s => s.Id)
            .ToPageAsync(page.Value!, (q, after) => q.Where(s => string.Compare(s.Id, after) < 0), s => s.Id, Describe, cancellationToken));
    }

    private static ScoreSnapshotResponse Describe(SecurityScoreSnapshot s) => new(
        s.Id, s.Score, s.Reason, JsonSerializer.Deserialize<Dictionary<string, int>>(s.Categories) ?? [],
        s.FailedChecks.Split(' ', StringSplitOptions.RemoveEmptyEntries), s.CreatedAt);
}
