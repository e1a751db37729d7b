using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Query;

/// <summary>Whose data a question is about: one organization (a tenant's question) or the platform (an operator's).</summary>
public sealed record QueryScope(string? OrganizationId, TimeZoneInfo Zone, DateTimeOffset Now)
{
    public bool IsPlatform => OrganizationId is null;
}

/// <summary>
/// Runs a typed query, whoever produced it, under the caller's permissions: each metric family
/// names the permission it needs (finance: the platform's finance permission; costs and churn
/// risk of an organization: its billing permission; usage, members and product events: their read
/// permissions). A tenant reads its own organization only; a customer named in a question that is
/// not the caller's (or, for an operator, that does not exist) is not found.
/// </summary>
public sealed class QueryExecutor(AppDb db, RequestContext request, FinanceQueries finance, ActivityQueries activity, AnalysisQueries analysis)
{
    public async Task<Result<QueryOutcome>> ExecuteAsync(InsightQuery query, QueryScope scope, CancellationToken cancellationToken)
    {
        if (!Vocabulary.ByCode.TryGetValue(query.Metric, out var metric)) return Error.Unprocessable("unknown_metric", $"'{query.Metric}' is not a metric I know.");
        if (Authorize(metric, scope) is { } denied) return denied;
        var customer = await ResolveCustomerAsync(query, scope, cancellationToken);
        if (!customer.IsSuccess) return customer.Error!;
        var organizationId = scope.OrganizationId ?? customer.Value;
        return metric.Family switch
        {
            MetricFamily.Finance => await finance.RunAsync(query, metric, customer.Value, cancellationToken),
            MetricFamily.Cost => await analysis.CostAsync(query, metric, scope, customer.Value, cancellationToken),
            MetricFamily.ChurnRisk => await analysis.ChurnRiskAsync(query, scope, cancellationToken),
            MetricFamily.Usage => await activity.UsageAsync(query, metric, organizationId, cancellationToken),
            MetricFamily.Members => await activity.MembersAsync(query, metric, organizationId, cancellationToken),
            _ => await activity.ProductEventsAsync(query, metric, organizationId, cancellationToken),
        };
    }

    /// <summary>The permission a metric needs in a scope; null when the caller holds it.</summary>
    public Error? Authorize(MetricDefinition metric, QueryScope scope)
    {
        if (scope.IsPlatform)
            return request.IsOperator ? null : Error.Forbidden("operator_only", "Only platform operators may ask about the whole platform.");
        var needed = metric.Family switch
        {
            MetricFamily.Finance => Permissions.PlatformFinanceRead,
            MetricFamily.Cost or MetricFamily.ChurnRisk => Permissions.BillingRead,
            MetricFamily.Usage => Permissions.UsageRead,
            MetricFamily.Members => Permissions.MembersRead,
            _ => Permissions.InsightsRead,
        };
        if (Permissions.IsPlatform(needed))
            return Error.Forbidden("forbidden", $"{metric.Label} is a figure of the platform's own finance: it needs the '{needed}' permission (ask from the operator's console).");
        if (request.Role is not { } role || !RolePermissions.Grants(role, needed) || (request.ApiKeyPermissions is { } scopes && !scopes.Contains(needed)))
            return Error.Forbidden("forbidden", $"Answering questions about {metric.Label.ToLowerInvariant()} needs the '{needed}' permission, which you do not have here.");
        return null;
    }

    /// <summary>The organization a customer filter names: the caller's own one for a tenant, any existing one for an operator.</summary>
    private async Task<Result<string?>> ResolveCustomerAsync(InsightQuery query, QueryScope scope, CancellationToken cancellationToken)
    {
        var named = query.Filters.FirstOrDefault(f => f.Dimension == QueryDimensions.Customer)?.Value;
        if (named is null) return (string?)null;
        var lowered = named.ToLowerInvariant();
        var organizations = db.Organizations.AsNoTracking();
        // An operator's question may name any organization; a tenant's query filter already hides every other one.
        if (scope.IsPlatform) organizations = organizations.IgnoreQueryFilters();
        var id = await organizations.Where(o => o.Id == named || o.Name.ToLower() == lowered).Select(o => o.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is null || (scope.OrganizationId is { } own && id != own)) return Error.NotFound("organization named in the question");
        return id;
    }
}
