using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;
using static Intelagent.Server.Insights.Query.QueryFormat;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// Revenue, customers and churn from Billing/Metrics' engine (the subscription ledger), in the
/// reporting currency, by UTC calendar month as the engine keeps them. Stock figures (MRR, ARR,
/// customers, ARPA) of a period are their value at its last month's end; counts (new, churned) are
/// summed; rates (churn, retention, margin) are the mean of the months' rates.
/// </summary>
public sealed class FinanceQueries(MetricsService metrics, AppDb db)
{
    private const int MaxMonths = 120;

    public async Task<Result<QueryOutcome>> RunAsync(InsightQuery query, MetricDefinition metric, string? customerId, CancellationToken cancellationToken)
    {
        var (from, to) = Months(query.Time);
        if (to.Index - from.Index >= MaxMonths) return Error.Unprocessable("range_too_long", $"A question covers at most {MaxMonths} months.");
        var engine = await metrics.EngineAsync(cancellationToken);
        var tier = query.Filters.FirstOrDefault(f => f.Dimension == QueryDimensions.Tier)?.Value;
        var product = query.Filters.FirstOrDefault(f => f.Dimension == QueryDimensions.Product)?.Value;
        var segmented = tier is not null || product is not null || customerId is not null;
        if (segmented && metric.Code is not ("mrr" or "arr" or "customers"))
            return Error.Unprocessable("unsupported_filter", $"{metric.Label} is kept for the whole company only, not per tier, product or customer.");

        decimal? MonthValue(Month month)
        {
            if (customerId is not null)
                return metric.Code == "customers" ? null : engine.CustomerMrr(customerId, month) * (metric.Code == "arr" ? 12m : 1m);
            if (segmented)
            {
                var breakdown = engine.BreakdownOf(month);
                var item = (tier is not null ? breakdown.Tiers : breakdown.Products).FirstOrDefault(i => string.Equals(i.Key, tier ?? product, StringComparison.OrdinalIgnoreCase));
                return metric.Code switch { "customers" => item?.Customers ?? 0, "arr" => (item?.Mrr ?? 0m) * 12m, _ => item?.Mrr ?? 0m };
            }
            return Pick(engine.Figures(month), metric.Code);
        }
        decimal? PeriodValue(Month start, Month end)
        {
            if (metric.Code is "mrr" or "arr" or "customers" or "arpa") return MonthValue(end);
            var values = Enumerable.Range(start.Index, end.Index - start.Index + 1).Select(i => MonthValue(new Month(i))).ToList();
            if (metric.Code is "new_customers" or "churned_customers") return values.Sum(v => v ?? 0m);
            var known = values.OfType<decimal>().ToList();
            return known.Count == 0 ? null : known.Average();
        }

        var label = metric.Label;
        switch (query.Intent)
        {
            case QueryIntents.Drivers:
                return Movements(engine, from, to, query);
            case QueryIntents.Ranking or QueryIntents.Breakdown when query.GroupBy == QueryDimensions.Customer:
                return await CustomersAsync(engine, metric, to, query, cancellationToken);
            case QueryIntents.Ranking or QueryIntents.Breakdown when query.GroupBy is QueryDimensions.Product or QueryDimensions.Tier:
                return Segments(engine, metric, to, query);
            case QueryIntents.Comparison when query.GroupBy is null && query.ComparedTo is not null:
                {
                    var current = PeriodValue(from, to);
                    var (previousFrom, previousTo) = Months(query.ComparedTo!);
                    var previous = previousTo < engine.First ? null : PeriodValue(previousFrom, previousTo);
                    var table = new QueryTable([new("period", "Period", "text"), new("value", label, Type(metric))],
                        [[query.Time.Expression, Show(current, metric)], [query.ComparedTo!.Expression, Show(previous, metric)]]);
                    var answer = current is { } c && previous is { } p
                        ? $"{label}: {Text(c, metric.Unit, Currencies.Reporting)} for {query.Time.Expression} against {Text(p, metric.Unit, Currencies.Reporting)} for {query.ComparedTo.Expression}: {Change(c, p, metric.Unit, Currencies.Reporting)}."
                        : $"{label} for {query.Time.Expression}: {Describe(current, metric)}; there is no figure for {query.ComparedTo.Expression} to compare with.";
                    return new QueryOutcome(answer, table, new QueryChart("bar", "period", "value", ["value"], $"{label}: {query.Time.Expression} vs {query.ComparedTo.Expression}"), Currencies.Reporting);
                }
            default:
                {
                    var quarterly = query.GroupBy == QueryDimensions.Quarter;
                    var periods = new List<(string Period, decimal? Value)>();
                    for (var month = from; month <= to; month = month.Next)
                    {
                        var end = quarterly ? new Month(Math.Min(to.Index, month.Index + 2 - (month.Number - 1) % 3)) : month;
                        periods.Add((quarterly ? $"{month.Year}-Q{(month.Number - 1) / 3 + 1}" : month.ToString(), PeriodValue(month, end)));
                        month = end;
                    }
                    var rows = periods.Select(p => (IReadOnlyList<object?>)[p.Period, Show(p.Value, metric)]).ToList();
                    var table = new QueryTable([new("period", quarterly ? "Quarter" : "Month", "text"), new("value", label, Type(metric))], rows);
                    var chart = new QueryChart("line", "period", "value", ["value"], $"{label}, {query.Time.Expression}");
                    var current = PeriodValue(from, to);
                    var answer = $"{label} for {Range(query.Time)}: {Describe(current, metric)}.";
                    if (query.ComparedTo is { } compared)
                    {
                        var (previousFrom, previousTo) = Months(compared);
                        var previous = previousTo < engine.First ? null : PeriodValue(previousFrom, previousTo);
                        answer = current is { } c && previous is { } p
                            ? $"{label} {(c >= p ? "grew" : "fell")} from {Text(p, metric.Unit, Currencies.Reporting)} ({compared.Expression}, to {previousTo}) to {Text(c, metric.Unit, Currencies.Reporting)} ({query.Time.Expression}, to {to}): {Change(c, p, metric.Unit, Currencies.Reporting)}."
                            : $"{answer} There is no figure for {compared.Expression} to compare with.";
                    }
                    return new QueryOutcome(answer, table, chart, Currencies.Reporting);
                }
        }
    }

    /// <summary>What moved MRR: the ledger's movements over the range, as a waterfall from the starting to the ending MRR.</summary>
    private static QueryOutcome Movements(MetricsEngine engine, Month from, Month to, InsightQuery query)
    {
        var months = engine.Figures(from, to).ToList();
        var start = months[0].StartingMrr;
        var end = months[^1].Mrr;
        (string Key, decimal Amount)[] steps =
        [
            ("New", months.Sum(m => m.Movements.New)), ("Reactivation", months.Sum(m => m.Movements.Reactivation)),
            ("Expansion", months.Sum(m => m.Movements.Expansion)), ("Contraction", -months.Sum(m => m.Movements.Contraction)),
            ("Churn", -months.Sum(m => m.Movements.Churn)),
        ];
        var rows = new List<IReadOnlyList<object?>> { new object?[] { "Starting MRR", Money(start) } };
        rows.AddRange(steps.Select(s => (IReadOnlyList<object?>)[s.Key, Money(s.Amount)]));
        rows.Add(["Ending MRR", Money(end)]);
        var largest = steps.MaxBy(s => Math.Abs(s.Amount));
        var answer = largest.Amount == 0m
            ? $"MRR did not move in {query.Time.Expression}: no new, expanding, contracting or churning customers."
            : $"MRR went from {Text(start, MetricUnit.Money, Currencies.Reporting)} to {Text(end, MetricUnit.Money, Currencies.Reporting)} in {query.Time.Expression}; the largest movement was {largest.Key.ToLowerInvariant()} ({(largest.Amount >= 0 ? "+" : "-")}{Text(Math.Abs(largest.Amount), MetricUnit.Money, Currencies.Reporting)}).";
        return new QueryOutcome(answer, new QueryTable([new("movement", "Movement", "text"), new("amount", "Amount", "money")], rows),
            new QueryChart("waterfall", "movement", "amount", ["amount"], $"MRR movements, {query.Time.Expression}"), Currencies.Reporting);
    }

    private static QueryOutcome Segments(MetricsEngine engine, MetricDefinition metric, Month month, InsightQuery query)
    {
        var breakdown = engine.BreakdownOf(month);
        var items = query.GroupBy == QueryDimensions.Tier ? breakdown.Tiers : breakdown.Products;
        var values = items.Select(i => (i.Key, Value: metric.Code switch { "customers" => i.Customers, "arr" => i.Mrr * 12m, _ => i.Mrr })).ToList();
        values = Order(values, query);
        var total = values.Sum(v => v.Value);
        var rows = values.Select(v => (IReadOnlyList<object?>)[v.Key, Show(v.Value, metric), total == 0m ? null : Ratio((double)(v.Value / total))]).ToList();
        var answer = values.Count == 0 ? $"There is no {metric.Label} in {month}." : $"{metric.Label} by {query.GroupBy} at the end of {month}: {values[0].Key} leads with {Text(values[0].Value, metric.Unit, Currencies.Reporting)}.";
        return new QueryOutcome(answer, new QueryTable([new(query.GroupBy!, query.GroupBy!, "text"), new("value", metric.Label, Type(metric)), new("share", "Share", "ratio")], rows),
            new QueryChart("bar", query.GroupBy!, "value", ["value"], $"{metric.Label} by {query.GroupBy}, {month}"), Currencies.Reporting);
    }

    private async Task<QueryOutcome> CustomersAsync(MetricsEngine engine, MetricDefinition metric, Month month, InsightQuery query, CancellationToken cancellationToken)
    {
        var values = Order(engine.CustomerEconomicsOf(month).Select(e => (Key: e.CustomerId, Value: metric.Code == "arr" ? e.Mrr * 12m : e.Mrr)).Where(e => e.Value != 0m).ToList(), query);
        var ids = values.Select(v => v.Key).ToList();
        var names = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var rows = values.Select(v => (IReadOnlyList<object?>)[names.GetValueOrDefault(v.Key, v.Key), v.Key, Money(v.Value)]).ToList();
        var answer = values.Count == 0 ? $"No customer had {metric.Label} in {month}."
            : $"Top {values.Count} customers by {metric.Label} in {month}: {names.GetValueOrDefault(values[0].Key, values[0].Key)} first with {Text(values[0].Value, MetricUnit.Money, Currencies.Reporting)}.";
        return new QueryOutcome(answer, new QueryTable([new("customer", "Customer", "text"), new("customerId", "Id", "text"), new("value", metric.Label, "money")], rows),
            new QueryChart("bar", "customer", "value", ["value"], $"{metric.Label} by customer, {month}"), Currencies.Reporting);
    }

    private static List<(string Key, decimal Value)> Order(List<(string Key, decimal Value)> values, InsightQuery query)
    {
        var descending = query.Ranking?.Descending ?? true;
        var ordered = descending ? values.OrderByDescending(v => v.Value) : values.OrderBy(v => v.Value);
        return ordered.Take(query.Ranking?.Limit ?? 50).ToList();
    }

    private static decimal? Pick(MonthFigures f, string code) => code switch
    {
        "mrr" => f.Mrr,
        "arr" => f.Arr,
        "customers" => f.PayingCustomers,
        "new_customers" => f.Movements.NewCustomers,
        "churned_customers" => f.Movements.ChurnedCustomers,
        "churn_rate" => f.ChurnRate,
        "net_revenue_retention" => f.NetRevenueRetention,
        "arpa" => f.Arpa,
        "gross_margin" => f.GrossMargin,
        _ => null,
    };

    public static (Month From, Month To) Months(QueryTimeRange range) =>
        (Month.Of(range.From), Month.Of(range.To > range.From ? range.To.AddTicks(-1) : range.From));

    private static object? Show(decimal? value, MetricDefinition metric) => value is not { } v ? null
        : metric.Unit switch { MetricUnit.Money => Money(v), MetricUnit.Ratio => Ratio((double)v), _ => v };

    private static string Type(MetricDefinition metric) => metric.Unit switch { MetricUnit.Money => "money", MetricUnit.Ratio => "ratio", _ => "number" };

    private static string Describe(decimal? value, MetricDefinition metric) => value is { } v ? Text(v, metric.Unit, Currencies.Reporting) : "not defined (no data, or a ratio over zero)";
}
