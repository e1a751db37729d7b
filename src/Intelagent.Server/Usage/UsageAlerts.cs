using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary><c>kind</c> is <c>percent</c> (of the metric's limit) or <c>absolute</c> (in the metric's unit: calls, bytes, seats, projects).</summary>
public sealed record CreateUsageAlertRequest(string? Metric, string? Kind, decimal? Threshold);

public sealed record UsageAlertResponse(string Id, string Metric, string Kind, decimal Threshold, string CreatedByUserId, DateTimeOffset CreatedAt)
{
    public static UsageAlertResponse From(UsageAlert a) => new(a.Id, a.Metric, a.Kind, a.Threshold, a.CreatedByUserId, a.CreatedAt);
}

/// <summary>Members' own usage alerts, delivered by <see cref="UsageThresholds"/> at flush time.</summary>
public sealed class UsageAlerts(AppDb db)
{
    public const string Percent = "percent";
    public const string Absolute = "absolute";

    /// <summary>Each alert is checked at every flush: keep the number per organization small.</summary>
    public const int MaxPerOrganization = 50;

    public static bool Reached(UsageAlert alert, UsageMeter meter) => alert.Kind == Percent
        ? meter.Limit is > 0 && meter.Used * 100m >= alert.Threshold * meter.Limit.Value
        : meter.Used >= alert.Threshold;

    public async Task<Result<UsageAlertResponse>> CreateAsync(CreateUsageAlertRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.When(request.Metric is null || !QuotaMetric.All.Contains(request.Metric), "metric", $"must be one of {string.Join(", ", QuotaMetric.All)}.");
        validation.When(request.Kind is not (Percent or Absolute), "kind", "must be percent or absolute.");
        validation.When(request.Threshold is null or <= 0, "threshold", "is required and must be more than 0.");
        validation.When(request.Kind == Percent && request.Threshold > 1000, "threshold", "must be at most 1000 (percent).");
        validation.When(request.Threshold > long.MaxValue, "threshold", "is too large.");
        if (validation.Failed) return validation.ToError();
        if (await db.Set<UsageAlert>().CountAsync(cancellationToken) >= MaxPerOrganization)
            return Error.Conflict("usage_alert_limit_reached", $"The organization has {MaxPerOrganization} usage alerts, the most it can have; delete one first.");

        var alert = new UsageAlert
        {
            Id = Id.New(IdPrefix.UsageAlert, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Metric = request.Metric!,
            Kind = request.Kind!,
            Threshold = request.Threshold!.Value,
            CreatedByUserId = db.Request.UserId!,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<UsageAlert>().Add(alert);
        await db.SaveChangesAsync(cancellationToken);
        return UsageAlertResponse.From(alert);
    }

    public async Task<Result<Page<UsageAlertResponse>>> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!;
        return await db.Set<UsageAlert>().AsNoTracking().OrderBy(a => a.Id)
            .ToPageAsync(page.Value!, (q, after) => q.Where(a => string.Compare(a.Id, after) > 0), a => a.Id, UsageAlertResponse.From, cancellationToken);
    }

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var alert = await db.Set<UsageAlert>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null) return Error.NotFound("usage alert");
        db.Set<UsageAlert>().Remove(alert);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
