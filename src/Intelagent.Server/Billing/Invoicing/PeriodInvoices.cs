using System.Globalization;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>The invoice of one subscription period: the period in advance, and the overage of the period just ended.</summary>
public static class PeriodInvoices
{
    /// <summary>
    /// Builds (does not save) the invoice for the subscription's current period, or null when there is
    /// nothing to charge (a free plan without overage). <paramref name="endedPeriod"/> is the period
    /// whose metered usage is billed as overage, if any.
    /// </summary>
    public static async Task<Invoice?> ForPeriodAsync(AppDb db, Subscription subscription, Plan? plan,
        (DateTimeOffset Start, DateTimeOffset End)? endedPeriod, CancellationToken cancellationToken)
    {
        var start = subscription.CurrentPeriodStart;
        var end = subscription.CurrentPeriodEnd;
        var amount = Proration.PeriodAmount(subscription, start);
        var lines = new List<LineDraft>();
        if (amount > 0m)
        {
            var description = $"{plan?.Name ?? subscription.Product} x {subscription.Quantity}, {start:yyyy-MM-dd} to {end:yyyy-MM-dd}";
            lines.Add(new LineDraft(InvoiceLineKind.Subscription, description, subscription.Quantity,
                subscription.Quantity == 0 ? 0m : amount / subscription.Quantity, amount, start, end));
        }
        if (plan is not null && endedPeriod is { } ended)
            lines.AddRange(await OverageAsync(db, subscription.OrganizationId, plan, ended.Start, ended.End, cancellationToken));
        if (lines.Count == 0) return null;
        var profile = await BillingProfile.ForAsync(db, subscription.OrganizationId, cancellationToken);
        return InvoiceMath.Build(subscription.OrganizationId, subscription.Currency, profile.TaxRatePercent, lines, db.Clock,
            subscription.Id, start, end);
    }

    /// <summary>
    /// Usage beyond the plan's included quantity, priced at the plan's overage unit price. The counts
    /// are the usage module's daily roll-ups of the UTC days that start within the period.
    /// </summary>
    public static async Task<List<LineDraft>> OverageAsync(AppDb db, string organizationId, Plan plan, DateTimeOffset start, DateTimeOffset end,
        CancellationToken cancellationToken)
    {
        var lines = new List<LineDraft>();
        foreach (var (metric, unitPrice) in plan.OveragePrices.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (unitPrice <= 0m) continue;
            var used = await db.Set<UsageRollup>().IgnoreQueryFilters()
                .Where(r => r.OrganizationId == organizationId && r.Metric == metric && r.Granularity == UsageGranularity.Day
                    && r.PeriodStart >= start && r.PeriodStart < end)
                .SumAsync(r => r.Value, cancellationToken);
            var included = plan.IncludedQuotas.GetValueOrDefault(metric);
            var over = used - included;
            if (over <= 0) continue;
            var description = string.Create(CultureInfo.InvariantCulture, $"{metric} overage: {over:N0} beyond {included:N0} included, {start:yyyy-MM-dd} to {end:yyyy-MM-dd}");
            lines.Add(new LineDraft(InvoiceLineKind.Overage, description, over, unitPrice, null, start, end));
        }
        return lines;
    }
}
