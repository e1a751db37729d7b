using System.Text.Json;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Store;

/// <summary>The spec's insight shape, with the finding's id, detector and times.</summary>
public sealed record InsightResponse(
    string Id, string Type, string Title, string Description, double Confidence, string Impact, string? Recommendation,
    JsonElement DataPoints, string Detector, DateTimeOffset DetectedAt, DateTimeOffset LastDetectedAt, bool Current,
    decimal? AmountAtStake, string? Currency)
{
    public static InsightResponse From(Insight i) => new(i.Id, i.Type, i.Title, i.Description, i.Confidence, i.Impact, i.Recommendation,
        JsonSerializer.Deserialize<JsonElement>(i.DataPointsJson), i.Detector, i.DetectedAt, i.LastDetectedAt, i.IsCurrent, i.AmountAtStake, i.Currency);
}

public sealed record InsightRunResponse(int Found, int New, int NoLongerCurrent, IReadOnlyList<string> FailedDetectors, IReadOnlyList<InsightResponse> Insights);

/// <summary>Lists and runs the findings of the organization in context, or of the platform for operators.</summary>
public sealed class InsightQueries(AppDb db, InsightRunner runner)
{
    private static readonly HashSet<string> Types = [InsightTypes.RevenueTrend, InsightTypes.UsageAnomaly, InsightTypes.Optimization, InsightTypes.Prediction];

    /// <param name="organizationId">The organization, or null for the platform's own findings.</param>
    public async Task<Result<Page<InsightResponse>>> ListAsync(string? organizationId, string? type, bool includePast, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (type is not null && !Types.Contains(type)) return Error.Validation("type", $"must be one of {string.Join(", ", Types)}.");
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!;
        var scopeKey = organizationId ?? Insight.PlatformScope;
        var query = db.Set<Insight>().IgnoreQueryFilters().AsNoTracking().Where(i => i.OrganizationId == scopeKey);
        if (!includePast) query = query.Where(i => i.IsCurrent);
        if (type is not null) query = query.Where(i => i.Type == type);
        return await query.OrderByDescending(i => i.Id).ToPageAsync(page.Value!, (q, after) => q.Where(i => string.Compare(i.Id, after) < 0),
            i => i.Id, InsightResponse.From, cancellationToken);
    }

    public async Task<Result<InsightRunResponse>> RunAsync(string? organizationId, CancellationToken cancellationToken)
    {
        var summary = await runner.RunAsync(organizationId, cancellationToken);
        var scopeKey = organizationId ?? Insight.PlatformScope;
        var current = await db.Set<Insight>().IgnoreQueryFilters().AsNoTracking().Where(i => i.OrganizationId == scopeKey && i.IsCurrent)
            .OrderByDescending(i => i.Id).Take(PageRequest.MaxLimit).ToListAsync(cancellationToken);
        return new InsightRunResponse(summary.Found, summary.New, summary.NoLongerCurrent, summary.FailedDetectors, current.Select(InsightResponse.From).ToList());
    }
}
