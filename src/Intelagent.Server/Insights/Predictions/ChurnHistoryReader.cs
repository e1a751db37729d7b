using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// Builds every customer's <see cref="CustomerTimeline"/> from what the modules stored: month-end MRR
/// and paid seats replayed from the subscription ledger, API calls from the daily usage roll-ups,
/// active users and sign-ins from sessions (through memberships), payments by outcome, and chatbot
/// tickets from the product-event roll-ups. A deliberate cross-tenant read: only the churn model,
/// which operators see, uses it.
/// </summary>
public static class ChurnHistoryReader
{
    /// <summary>The model looks back this far; older history adds little and costs reads.</summary>
    public const int LookBackMonths = 24;

    public static async Task<List<CustomerTimeline>> ReadAcrossTenantsAsync(AppDb db, Month through, CancellationToken cancellationToken)
    {
        var from = new Month(through.Index - LookBackMonths + 1);
        var since = from.Start;
        var until = through.End;
        var ledger = await db.Set<SubscriptionEvent>().IgnoreQueryFilters().AsNoTracking().Where(e => e.At < until).ToListAsync(cancellationToken);
        if (ledger.Count == 0) return [];
        var names = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Select(o => new { o.Id, o.Name }).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var segments = await db.Set<FinancialCustomer>().IgnoreQueryFilters().AsNoTracking()
            .ToDictionaryAsync(c => c.OrganizationId, c => c.Segment ?? MetricsDefaults.UnknownSegment, cancellationToken);

        var calls = (await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
                .Where(u => u.Metric == UsageMetric.ApiCalls && u.Granularity == UsageGranularity.Day && u.PeriodStart >= since && u.PeriodStart < until)
                .Select(u => new { u.OrganizationId, u.PeriodStart, u.Value }).ToListAsync(cancellationToken))
            .GroupBy(u => (u.OrganizationId, Month.Of(u.PeriodStart).Index)).ToDictionary(g => g.Key, g => g.Sum(u => u.Value));
        var sessions = await (from s in db.Set<Identity.Session>().AsNoTracking()
                              join m in db.Memberships.IgnoreQueryFilters() on s.UserId equals m.UserId
                              where s.CreatedAt >= since && s.CreatedAt < until
                              select new { m.OrganizationId, s.UserId, s.CreatedAt }).ToListAsync(cancellationToken);
        var signIns = sessions.GroupBy(s => (s.OrganizationId, Month.Of(s.CreatedAt).Index))
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Users: g.Select(s => s.UserId).Distinct(StringComparer.Ordinal).Count()));
        var payments = (await db.Set<Payment>().IgnoreQueryFilters().AsNoTracking()
                .Where(p => p.CreatedAt >= since && p.CreatedAt < until && (p.Status == PaymentStatus.Failed || p.Status == PaymentStatus.Succeeded))
                .Select(p => new { p.OrganizationId, p.CreatedAt, p.Status }).ToListAsync(cancellationToken))
            .GroupBy(p => (p.OrganizationId, Month.Of(p.CreatedAt).Index))
            .ToDictionary(g => g.Key, g => (Failed: g.Count(p => p.Status == PaymentStatus.Failed), Succeeded: g.Count(p => p.Status == PaymentStatus.Succeeded)));
        var tickets = (await db.Set<ProductEventRollup>().IgnoreQueryFilters().AsNoTracking()
                .Where(r => r.Type == ProductEventTypes.ChatbotTicketCreated && r.Dimension == "" && r.Day >= since && r.Day < until)
                .Select(r => new { r.OrganizationId, r.Day, r.Count }).ToListAsync(cancellationToken))
            .GroupBy(r => (r.OrganizationId, Month.Of(r.Day).Index)).ToDictionary(g => g.Key, g => (int)g.Sum(r => r.Count));

        var timelines = new List<CustomerTimeline>();
        foreach (var customer in ledger.GroupBy(e => e.OrganizationId, StringComparer.Ordinal))
        {
            var entries = customer.OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var first = Month.Of(entries[0].At);
            if (first < from) first = from;
            var months = new List<MonthActivity>();
            for (var index = first.Index; index <= through.Index; index++)
            {
                var (mrr, seats) = MonthEnd(entries, new Month(index).End);
                var key = (customer.Key, index);
                var (signInCount, activeUsers) = signIns.GetValueOrDefault(key);
                var (failed, succeeded) = payments.GetValueOrDefault(key);
                months.Add(new MonthActivity(calls.GetValueOrDefault(key), seats, activeUsers, signInCount, failed, succeeded, tickets.GetValueOrDefault(key), mrr));
            }
            timelines.Add(new CustomerTimeline(customer.Key, names.GetValueOrDefault(customer.Key, customer.Key), segments.GetValueOrDefault(customer.Key, MetricsDefaults.UnknownSegment),
                entries[^1].Currency, first, months));
        }
        return timelines;
    }

    /// <summary>MRR and paid seats just before <paramref name="monthEnd"/>: each subscription's latest entry then. Seats are the platform product's quantity (any product's when the customer has no platform plan).</summary>
    private static (decimal Mrr, int Seats) MonthEnd(List<SubscriptionEvent> entries, DateTimeOffset monthEnd)
    {
        var latest = entries.Where(e => e.At < monthEnd).GroupBy(e => e.SubscriptionId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var at = monthEnd.AddTicks(-1);
        var mrr = latest.Sum(e => e.MonthlyAmountAt(at));
        var live = latest.Where(e => e.Type != SubscriptionEventType.Cancel).ToList();
        var platform = live.Where(e => e.Product == Products.Platform).ToList();
        return (mrr, (platform.Count > 0 ? platform : live).Sum(e => e.Quantity));
    }
}
