using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Security.Retention;

/// <summary>Retention policies of the organization in context (X-Organization-Id, the only membership, or the API key).</summary>
public static class RetentionEndpoints
{
    public static IEndpointRouteBuilder MapRetentionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/retention").WithTags("Data retention");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.ComplianceRead).WithName("GetRetentionPolicies")
            .WithSummary("Every category with its policy (days; null keeps indefinitely) and its minimum").Produces<RetentionResponse>().WithProblems(400, 403, 404);
        group.MapPut("/", UpdateAsync).RequirePermission(Permissions.ComplianceManage).WithName("UpdateRetentionPolicies")
            .WithSummary("Sets the listed categories; invoices shorter than the 10-year legal minimum are refused (422)")
            .Produces<RetentionResponse>().WithProblems(400, 403, 404, 422);
        group.MapGet("/preview", PreviewAsync).RequirePermission(Permissions.ComplianceRead).WithName("PreviewRetention")
            .WithSummary("Rows each category would lose now, under the stored policies or ?category=days overrides (e.g. ?notifications=30)")
            .Produces<RetentionPreviewResponse>().WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> GetAsync(RetentionService retention, CancellationToken cancellationToken) =>
        TypedResults.Ok(await retention.GetAsync(cancellationToken));

    private static async Task<IResult> UpdateAsync(UpdateRetentionRequest request, RetentionService retention, CancellationToken cancellationToken) =>
        (await retention.UpdateAsync(request, cancellationToken)).ToHttp(r => TypedResults.Ok(r));

    private static async Task<IResult> PreviewAsync(HttpContext context, RetentionService retention, RequestContext request, CancellationToken cancellationToken)
    {
        var proposed = new Dictionary<string, int?>();
        var validation = new Validation();
        foreach (var (key, values) in context.Request.Query)
        {
            if (RetentionCategories.Find(key) is null)
            {
                validation.Add(key, $"is not a category; use {string.Join(", ", RetentionCategories.All.Select(c => c.Code))}.");
                continue;
            }
            if (int.TryParse(values.ToString(), out var days) && days is >= 1 and <= RetentionCategories.MaximumDays) proposed[key] = days;
            else validation.Add(key, $"must be a number of days between 1 and {RetentionCategories.MaximumDays}.");
        }
        if (validation.Failed) return validation.ToError().ToResult();
        return TypedResults.Ok(await retention.PreviewAsync(request.OrganizationId!, proposed, cancellationToken));
    }
}
