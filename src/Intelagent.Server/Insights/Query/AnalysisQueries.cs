using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using static Intelagent.Server.Insights.Query.QueryFormat;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// Costs and churn risk. The cost-driver decomposition and the churn model are other parts of the
/// Insights module, reached through the kernel's contracts; when a server runs without them the
/// answer says the analysis is not available, and shows nothing made up. The platform's cost
/// totals, per product and per customer, come from Billing/Metrics' engine.
/// </summary>
public sealed class AnalysisQueries(AppDb db, IServiceProvider services, MetricsService metrics)
{
    public async Task<Result<QueryOutcome>> CostAsync(InsightQuery query, MetricDefinition metric, QueryScope scope, string? customerId, CancellationToken cancellationToken)
    {
        var product = query.Filters.FirstOrDefault(f => f.Dimension == QueryDimensions.Product)?.Value;
        if (scope.IsPlatform && query.Intent != QueryIntents.Drivers && query.GroupBy != QueryDimensions.Category && customerId is null)
            return await PlatformCostAsync(query, metric, product, cancellationToken);

        if (services.GetService<ICostDriverAnalysis>() is not { } analysis)
            return new QueryOutcome("The cost-driver analysis is not available on this server, so I cannot break this cost down or explain its change. No figures are shown rather than guessed ones.", QueryTable.Empty, null);
        var insightScope = new InsightScope(scope.OrganizationId ?? customerId, scope.Now);
        var compared = query.ComparedTo ?? CalendarMath.Previous(query.Time, scope.Zone);
        var result = await analysis.DecomposeAsync(db, insightScope, query.Time.From, query.Time.To, compared.From, compared.To, cancellationToken);
        var dimension = query.GroupBy switch { QueryDimensions.Category => "category", QueryDimensions.Customer => "customer", QueryDimensions.Product => "product", _ => null };
        var drivers = result.Drivers.Where(d => (dimension is null || d.Dimension == dimension) && (product is null || d.Dimension != "product" || d.Key == product))
            .OrderByDescending(d => query.Intent == QueryIntents.Drivers ? Math.Abs(d.Change) : d.Current).Take(query.Ranking?.Limit ?? 20).ToList();
        var table = new QueryTable(
            [new("dimension", "Dimension", "text"), new("key", "Driver", "text"), new("previous", compared.Expression, "money"), new("current", query.Time.Expression, "money"), new("change", "Change", "money"), new("share", "Share of change", "ratio")],
            drivers.Select(d => (IReadOnlyList<object?>)[d.Dimension, d.Label, Money(d.Previous), Money(d.Current), Money(d.Change), Ratio(d.ShareOfChange)]).ToList());
        var change = Change(result.CurrentTotal, result.PreviousTotal, MetricUnit.Money, result.Currency);
        var lead = drivers.FirstOrDefault();
        var answer = query.Intent switch
        {
            QueryIntents.Drivers when result.CurrentTotal == result.PreviousTotal => $"Cost did not change between {compared.Expression} and {query.Time.Expression} ({Text(result.CurrentTotal, MetricUnit.Money, result.Currency)}).",
            QueryIntents.Drivers when lead is not null =>
                $"Cost went from {Text(result.PreviousTotal, MetricUnit.Money, result.Currency)} ({compared.Expression}) to {Text(result.CurrentTotal, MetricUnit.Money, result.Currency)} ({query.Time.Expression}): {change}. The largest driver is {lead.Dimension} {lead.Label} ({(lead.Change >= 0 ? "+" : "-")}{Text(Math.Abs(lead.Change), MetricUnit.Money, result.Currency)}{(lead.ShareOfChange is { } s ? $", {s:P0} of the change" : "")}).",
            _ => $"{metric.Label} for {query.Time.Expression}: {Text(result.CurrentTotal, MetricUnit.Money, result.Currency)} ({change} against {compared.Expression}).",
        };
        var chart = query.Intent == QueryIntents.Drivers
            ? new QueryChart("waterfall", "key", "change", ["change"], $"What changed cost, {compared.Expression} to {query.Time.Expression}")
            : new QueryChart("bar", "key", "current", ["current", "previous"], $"{metric.Label} by {dimension ?? "driver"}, {query.Time.Expression}");
        return new QueryOutcome(answer, table, chart, result.Currency);
    }

    private async Task<QueryOutcome> PlatformCostAsync(InsightQuery query, MetricDefinition metric, string? product, CancellationToken cancellationToken)
    {
        var engine = await metrics.EngineAsync(cancellationToken);
        var (from, to) = FinanceQueries.Months(query.Time);
        decimal MonthCost(Billing.Metrics.Engine.Month month) => product is null
            ? engine.Figures(month).InfrastructureCost
            : engine.ProductProfitabilityOf(month).FirstOrDefault(p => string.Equals(p.Product, product, StringComparison.OrdinalIgnoreCase))?.Cost ?? 0m;
        decimal Total(Billing.Metrics.Engine.Month start, Billing.Metrics.Engine.Month end) => engine.Figures(start, end).Sum(f => MonthCost(f.Month));
        var title = product is null ? metric.Label : $"{metric.Label} of {product}";

        if (query.GroupBy is QueryDimensions.Product or QueryDimensions.Customer)
        {
            var items = query.GroupBy == QueryDimensions.Product
                ? Enumerable.Range(from.Index, to.Index - from.Index + 1).SelectMany(i => engine.ProductProfitabilityOf(new(i)).Select(p => (Key: p.Product, Cost: p.Cost)))
                : Enumerable.Range(from.Index, to.Index - from.Index + 1).SelectMany(i => engine.CustomerEconomicsOf(new(i)).Select(c => (Key: c.CustomerId, Cost: c.TotalCost)));
            var totals = items.GroupBy(i => i.Key).Select(g => (g.Key, Cost: g.Sum(i => i.Cost)));
            var descending = query.Ranking?.Descending ?? true;
            var ordered = (descending ? totals.OrderByDescending(t => t.Cost) : totals.OrderBy(t => t.Cost)).Take(query.Ranking?.Limit ?? 50).ToList();
            var rows = ordered.Select(t => (IReadOnlyList<object?>)[t.Key, Money(t.Cost)]).ToList();
            var answer = ordered.Count == 0 ? $"No cost was recorded for {query.Time.Expression}." : $"{title} by {query.GroupBy} for {query.Time.Expression}: {ordered[0].Key} {(descending ? "is highest" : "is lowest")} with {Text(ordered[0].Cost, MetricUnit.Money, Currencies.Reporting)}.";
            return new QueryOutcome(answer, new QueryTable([new("key", query.GroupBy!, "text"), new("value", title, "money")], rows),
                new QueryChart("bar", "key", "value", ["value"], $"{title} by {query.GroupBy}, {query.Time.Expression}"), Currencies.Reporting);
        }
        var series = engine.Figures(from, to).Select(f => (IReadOnlyList<object?>)[f.Month.ToString(), Money(MonthCost(f.Month))]).ToList();
        var current = Total(from, to);
        var text = $"{title} for {Range(query.Time)}: {Text(current, MetricUnit.Money, Currencies.Reporting)}.";
        if (query.ComparedTo is { } compared && query.Intent is QueryIntents.Comparison or QueryIntents.Growth)
        {
            var (previousFrom, previousTo) = FinanceQueries.Months(compared);
            var previous = Total(previousFrom, previousTo);
            text = $"{title}: {Text(current, MetricUnit.Money, Currencies.Reporting)} for {query.Time.Expression} against {Text(previous, MetricUnit.Money, Currencies.Reporting)} for {compared.Expression}: {Change(current, previous, MetricUnit.Money, Currencies.Reporting)}.";
        }
        return new QueryOutcome(text, new QueryTable([new("period", "Month", "text"), new("value", title, "money")], series),
            new QueryChart(series.Count > 1 ? "line" : "table", "period", "value", ["value"], $"{title}, {query.Time.Expression}"), Currencies.Reporting);
    }

    public async Task<Result<QueryOutcome>> ChurnRiskAsync(InsightQuery query, QueryScope scope, CancellationToken cancellationToken)
    {
        if (services.GetService<IChurnRiskScorer>() is not { } scorer)
            return new QueryOutcome("The churn model is not available on this server, so I cannot say which customers are at risk. No list is shown rather than a guessed one.", QueryTable.Empty, null);
        // Churn risk is the operator's view of its customers (docs/decisions/020): an organization is not shown a score of itself.
        if (scope.OrganizationId is not null)
            return new QueryOutcome("Churn risk is scored for the platform's operators, about their customers; an organization's own view has no churn scores. Ask about your usage, members or product events instead.", QueryTable.Empty, null);
        var report = await scorer.ScoreAsync(db, new InsightScope(scope.OrganizationId, scope.Now), cancellationToken);
        var descending = query.Ranking?.Descending ?? true;
        var ranked = (descending ? report.Customers.OrderByDescending(c => c.Probability) : report.Customers.OrderBy(c => c.Probability)).Take(query.Ranking?.Limit ?? 10).ToList();
        var rows = ranked.Select(c => (IReadOnlyList<object?>)[c.OrganizationName, c.OrganizationId, Ratio(c.Probability), c.RiskLevel, Money(c.MonthlyRevenue), c.Currency,
            string.Join("; ", c.MainFactors.Take(3).Select(f => f.Description))]).ToList();
        var model = report.ModelAuc is { } auc ? $" The model's AUC on held-out data is {auc:0.00}{(report.BaselineAuc is { } b ? $" (single-feature baseline {b:0.00})" : "")}, trained on {report.TrainingExamples:N0} examples." : " The model has not been trained yet.";
        var top = ranked.FirstOrDefault();
        var answer = top is null
            ? "No customer has a churn risk score yet." + model
            : $"{report.Customers.Count(c => c.RiskLevel == "high"):N0} of {report.Customers.Count:N0} customers are at high risk. Highest: {top.OrganizationName} at {top.Probability:P0}{(top.MainFactors.Count > 0 ? ", mainly " + string.Join(", ", top.MainFactors.Take(2).Select(f => f.Description)) : "")}." + model;
        return new QueryOutcome(answer,
            new QueryTable([new("customer", "Customer", "text"), new("customerId", "Id", "text"), new("probability", "Churn probability", "ratio"), new("riskLevel", "Risk", "text"),
                new("monthlyRevenue", "Monthly revenue", "money"), new("currency", "Currency", "text"), new("mainFactors", "Main factors", "text")], rows),
            new QueryChart("bar", "customer", "probability", ["probability"], "Churn risk by customer"), top?.Currency);
    }
}
