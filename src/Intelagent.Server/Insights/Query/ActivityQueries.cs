using System.Globalization;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;
using static Intelagent.Server.Insights.Query.QueryFormat;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// Usage (UsageRollup's day rows), product events (ProductEventRollup's day rows, and for email
/// the send weekday and hour) and members. Roll-ups are per UTC day, so a range starts at the UTC
/// day holding its first instant. <c>organizationId</c> null means every organization: an
/// operator's question, the only caller the executor lets through without one.
/// </summary>
public sealed class ActivityQueries(AppDb db, TimeProvider clock)
{
    private delegate Task<Dictionary<string, (long Count, long Base)>> Loader(DateTimeOffset from, DateTimeOffset to, string? grouping, CancellationToken cancellationToken);

    public Task<Result<QueryOutcome>> UsageAsync(InsightQuery query, MetricDefinition metric, string? organizationId, CancellationToken cancellationToken)
    {
        var name = metric.Code == "bandwidth" ? UsageMetric.BandwidthBytes : UsageMetric.ApiCalls;
        async Task<Dictionary<string, (long, long)>> Load(DateTimeOffset from, DateTimeOffset to, string? grouping, CancellationToken ct)
        {
            var start = UtcDay(from);
            var rows = UsageRollupsAcrossTenants().Where(r => r.Metric == name && r.Granularity == UsageGranularity.Day && r.PeriodStart >= start && r.PeriodStart < to);
            if (organizationId is not null) rows = rows.Where(r => r.OrganizationId == organizationId);
            if (grouping == QueryDimensions.Customer)
                return (await rows.GroupBy(r => r.OrganizationId).Select(g => new { g.Key, Total = g.Sum(r => r.Value) }).ToListAsync(ct))
                    .ToDictionary(g => g.Key, g => (g.Total, 0L));
            var days = await rows.GroupBy(r => r.PeriodStart).Select(g => new { g.Key, Total = g.Sum(r => r.Value) }).ToListAsync(ct);
            return days.GroupBy(d => QuerySeries.Bucket(d.Key, grouping ?? QuerySeries.All)).ToDictionary(g => g.Key, g => (g.Sum(d => d.Total), 0L));
        }
        var note = query.Filters.Any(f => f.Dimension == QueryDimensions.Product) ? " API usage is metered per organization, not per product: this is the total." : "";
        return RunAsync(query, metric, Load, note, cancellationToken);
    }

    public Task<Result<QueryOutcome>> ProductEventsAsync(InsightQuery query, MetricDefinition metric, string? organizationId, CancellationToken cancellationToken)
    {
        string[] types = metric.Denominator is null ? [metric.Numerator!] : [metric.Numerator!, metric.Denominator];
        var bySendTime = types.All(t => t.StartsWith("email.", StringComparison.Ordinal));
        async Task<Dictionary<string, (long, long)>> Load(DateTimeOffset from, DateTimeOffset to, string? grouping, CancellationToken ct)
        {
            var start = UtcDay(from);
            var rows = db.Set<ProductEventRollup>().IgnoreQueryFilters().AsNoTracking().Where(r => types.Contains(r.Type) && r.Day >= start && r.Day < to);
            if (organizationId is not null) rows = rows.Where(r => r.OrganizationId == organizationId);
            List<(string Key, string Type, long Total)> sums;
            if (bySendTime && grouping is QueryDimensions.Weekday or QueryDimensions.Hour)
            {
                var cells = await rows.Where(r => r.Dimension.StartsWith("sent:")).GroupBy(r => new { r.Type, r.Dimension })
                    .Select(g => new { g.Key.Type, g.Key.Dimension, Total = g.Sum(r => r.Count) }).ToListAsync(ct);
                sums = cells.Select(c => (SendTimeKey(c.Dimension, grouping), c.Type, c.Total)).ToList();
            }
            else if (grouping == QueryDimensions.Customer)
            {
                var cells = await rows.Where(r => r.Dimension == "").GroupBy(r => new { r.Type, r.OrganizationId })
                    .Select(g => new { g.Key.Type, g.Key.OrganizationId, Total = g.Sum(r => r.Count) }).ToListAsync(ct);
                sums = cells.Select(c => (c.OrganizationId, c.Type, c.Total)).ToList();
            }
            else
            {
                var cells = await rows.Where(r => r.Dimension == "").GroupBy(r => new { r.Type, r.Day })
                    .Select(g => new { g.Key.Type, g.Key.Day, Total = g.Sum(r => r.Count) }).ToListAsync(ct);
                sums = cells.Select(c => (QuerySeries.Bucket(c.Day, grouping ?? QuerySeries.All), c.Type, c.Total)).ToList();
            }
            return sums.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => (
                g.Where(s => s.Type == metric.Numerator).Sum(s => s.Total),
                metric.Denominator is null ? 0L : g.Where(s => s.Type == metric.Denominator).Sum(s => s.Total)));
        }
        return RunAsync(query, metric, Load, "", cancellationToken);
    }

    public async Task<Result<QueryOutcome>> MembersAsync(InsightQuery query, MetricDefinition metric, string? organizationId, CancellationToken cancellationToken)
    {
        var memberships = db.Memberships.IgnoreQueryFilters().AsNoTracking();
        if (organizationId is not null) memberships = memberships.Where(m => m.OrganizationId == organizationId);
        var counts = await memberships.GroupBy(m => m.OrganizationId).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var values = query.GroupBy == QueryDimensions.Customer
            ? counts.ToDictionary(c => c.Key, c => (c.Count, 0L))
            : new Dictionary<string, (long, long)> { ["now"] = (counts.Sum(c => c.Count), 0L) };
        var names = await NamesAsync(values.Keys, query.GroupBy, cancellationToken);
        var outcome = QuerySeries.Answer(query, metric, values.Keys.ToList(), values, k => names.GetValueOrDefault(k, k));
        var total = counts.Sum(c => c.Count);
        return outcome with { Answer = organizationId is null ? $"{total:N0} memberships across {counts.Count:N0} organizations." : $"Your organization has {total:N0} members (seats in use)." };
    }

    private async Task<Result<QueryOutcome>> RunAsync(InsightQuery query, MetricDefinition metric, Loader load, string note, CancellationToken cancellationToken)
    {
        if ((query.Time.To - query.Time.From).TotalDays > 3660) return Error.Unprocessable("range_too_long", "A question covers at most ten years.");
        var values = await load(query.Time.From, query.Time.To, query.GroupBy, cancellationToken);
        var order = query.GroupBy switch
        {
            null => [QuerySeries.All],
            QueryDimensions.Weekday => QuerySeries.Weekdays.ToList(),
            QueryDimensions.Hour => Enumerable.Range(0, 24).Select(h => $"{h:D2}:00").ToList(),
            var time when QueryDimensions.IsTime(time) => QuerySeries.Periods(query.Time.From, query.Time.To, time),
            _ => values.Keys.ToList(),
        };
        var names = await NamesAsync(values.Keys, query.GroupBy, cancellationToken);
        var outcome = QuerySeries.Answer(query, metric, order, values, k => k == QuerySeries.All ? query.Time.Expression : names.GetValueOrDefault(k, k));
        if (query.ComparedTo is { } compared && query.Intent is QueryIntents.Comparison or QueryIntents.Growth)
        {
            var previous = Totals(await load(compared.From, compared.To, null, cancellationToken));
            var current = Totals(values);
            var (c, p) = metric.Unit == MetricUnit.Ratio
                ? (Rate(current), Rate(previous))
                : ((decimal?)current.Count, (decimal?)previous.Count);
            var comparison = c is { } now && p is { } before
                ? $"{metric.Label}: {Text(now, metric.Unit)} for {query.Time.Expression} against {Text(before, metric.Unit)} for {compared.Expression} ({compared.From:yyyy-MM-dd} to {compared.To:yyyy-MM-dd}): {Change(now, before, metric.Unit)}."
                : $"{metric.Label}: there is not enough data in {query.Time.Expression} or {compared.Expression} to compare.";
            var table = query.Intent == QueryIntents.Comparison
                ? new QueryTable([new("period", "Period", "text"), new("value", metric.Label, metric.Unit == MetricUnit.Ratio ? "ratio" : "number")],
                    [[query.Time.Expression, Show(c, metric)], [compared.Expression, Show(p, metric)]])
                : outcome.Table;
            var chart = query.Intent == QueryIntents.Comparison ? new QueryChart("bar", "period", "value", ["value"], $"{metric.Label}: {query.Time.Expression} vs {compared.Expression}") : outcome.Chart;
            outcome = new QueryOutcome(comparison, table, chart);
        }
        return outcome with { Answer = outcome.Answer + note + Freshness(metric) };
    }

    private string Freshness(MetricDefinition metric) =>
        metric.Family == MetricFamily.Usage ? $" Usage is flushed in batches; figures up to {clock.GetUtcNow():HH:mm} UTC may still be arriving." : "";

    private static (long Count, long Base) Totals(Dictionary<string, (long Count, long Base)> values) => (values.Values.Sum(v => v.Count), values.Values.Sum(v => v.Base));

    private static decimal? Rate((long Count, long Base) value) => value.Base == 0 ? null : (decimal)value.Count / value.Base;

    private static object? Show(decimal? value, MetricDefinition metric) => value is not { } v ? null : metric.Unit == MetricUnit.Ratio ? Ratio((double)v) : v;

    private IQueryable<UsageRollup> UsageRollupsAcrossTenants() => db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking();

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string> keys, string? grouping, CancellationToken cancellationToken)
    {
        if (grouping != QueryDimensions.Customer) return [];
        var ids = keys.ToList();
        return await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
    }

    /// <summary>"sent:2-10" (ISO weekday 2, 10:00 UTC) as "Tuesday" or "10:00".</summary>
    private static string SendTimeKey(string dimension, string grouping)
    {
        var cell = dimension.AsSpan("sent:".Length);
        var dash = cell.IndexOf('-');
        if (dash < 0 || !int.TryParse(cell[..dash], CultureInfo.InvariantCulture, out var weekday) || !int.TryParse(cell[(dash + 1)..], CultureInfo.InvariantCulture, out var hour)) return "unknown";
        return grouping == QueryDimensions.Weekday ? QuerySeries.Weekdays[Math.Clamp(weekday, 1, 7) - 1] : $"{Math.Clamp(hour, 0, 23):D2}:00";
    }

    private static DateTimeOffset UtcDay(DateTimeOffset instant) => new(instant.UtcDateTime.Date, TimeSpan.Zero);
}
