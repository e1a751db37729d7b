using Intelagent.Server.Billing.Invoicing;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>
/// Upgrades, downgrades and quantity changes mid-period, previewed and then confirmed. The unused part
/// of the current period is credited and the rest of the period on the new terms charged, both by
/// whole seconds remaining (docs/decisions/012). A trial changes terms without proration.
/// </summary>
public sealed class SubscriptionChangeService(AppDb db, SubscriptionService subscriptions, InvoiceIssuer issuer, OrganizationBillingState state)
{
    /// <summary>How far back a preview's instant may be repeated on confirmation.</summary>
    public static readonly TimeSpan PreviewValidity = TimeSpan.FromHours(1);

    private sealed record PlannedChange(Subscription Subscription, Plan Plan, int Quantity, ProrationPreview Preview, Invoice? Invoice);

    public async Task<Result<ProrationPreview>> PreviewAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken)
    {
        var planned = await PlanAsync(id, request, cancellationToken);
        return planned.IsSuccess ? planned.Value!.Preview : planned.Error!;
    }

    public async Task<Result<ChangeSubscriptionResponse>> ConfirmAsync(string id, ChangeSubscriptionRequest request, Func<int, bool> ifMatch,
        CancellationToken cancellationToken)
    {
        var planned = await PlanAsync(id, request, cancellationToken);
        if (!planned.IsSuccess) return planned.Error!;
        var (subscription, plan, quantity, preview, invoice) = planned.Value!;
        if (!ifMatch(subscription.Version)) return Error.Stale("subscription");
        subscription.PlanId = plan.Id;
        subscription.Tier = plan.Tier;
        subscription.Interval = plan.Interval;
        subscription.UnitAmount = plan.UnitAmount;
        subscription.Quantity = quantity;
        subscription.CurrentPeriodStart = preview.NewPeriodStart;
        subscription.CurrentPeriodEnd = preview.NewPeriodEnd;
        subscription.UpdatedAt = db.Clock.GetUtcNow();
        subscription.Version++;
        SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Change, preview.ProrationAt, db.Clock);
        if (invoice is not null) db.Set<Invoice>().Add(invoice);
        var tierChanged = await state.StageTierAsync(subscription, cancellationToken);
        await issuer.SaveAndIssueAsync(invoice is null ? [] : [invoice], cancellationToken);
        state.AfterCommit(subscription.OrganizationId, tierChanged);
        return new ChangeSubscriptionResponse(SubscriptionResponse.From(subscription), preview, invoice?.Id);
    }

    private async Task<Result<PlannedChange>> PlanAsync(string id, ChangeSubscriptionRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .When(request.PlanId is null && request.Quantity is null, "planId", "or quantity is required.")
            .When(request.Quantity is < 1 or > SubscriptionService.MaxQuantity, "quantity", $"must be between 1 and {SubscriptionService.MaxQuantity}.");
        if (validation.Failed) return validation.ToError();
        var subscription = await subscriptions.FindAsync(id, false, cancellationToken);
        if (subscription is null) return Error.NotFound("subscription");
        if (subscription.Status == SubscriptionStatus.Canceled) return Error.Conflict("subscription_canceled", "A canceled subscription cannot change.");
        var plan = await PlanService.AvailableAsync(db, request.PlanId ?? subscription.PlanId, subscription.OrganizationId, cancellationToken);
        if (plan is null) return Error.Validation("planId", "is not a plan offered to this organization.");
        if (plan.Product != subscription.Product) return Error.Validation("planId", $"must be a plan of the same product ({subscription.Product}).");
        if (plan.Currency != subscription.Currency) return Error.Validation("planId", $"must be priced in {subscription.Currency}, like the subscription.");
        var quantity = request.Quantity ?? subscription.Quantity;
        if (plan.Id == subscription.PlanId && quantity == subscription.Quantity)
            return Error.Validation("planId", "and quantity are what the subscription has already.");

        var now = db.Clock.GetUtcNow();
        var at = request.ProrationAt ?? now;
        if (at > now || at < now - PreviewValidity || at < subscription.CurrentPeriodStart || at >= subscription.CurrentPeriodEnd)
            return Error.Validation("prorationAt", "must be a preview's instant from the last hour, inside the current period.");

        var start = subscription.CurrentPeriodStart;
        var end = subscription.CurrentPeriodEnd;
        var currency = subscription.Currency;
        var lines = new List<LineDraft>();
        var newStart = start;
        var newEnd = end;
        if (subscription.Status != SubscriptionStatus.Trialing)
        {
            var fraction = Proration.RemainingFraction(start, end, at);
            var oldAmount = Proration.PeriodAmount(subscription, at);
            var discounted = subscription.DiscountEndsAt is not { } discountEnd || discountEnd > at;
            var newAmount = Proration.PeriodAmount(plan.UnitAmount, quantity, discounted ? subscription.DiscountPercent : 0m,
                discounted ? subscription.DiscountAmount : 0m);
            // A new interval starts a new period now, charged in full; the same interval keeps the period.
            var newFraction = fraction;
            if (plan.Interval != subscription.Interval)
            {
                newStart = at;
                newEnd = Proration.AddInterval(at, plan.Interval);
                newFraction = 1m;
            }
            var (credit, charge) = Proration.Amounts(oldAmount, fraction, newAmount, newFraction, currency);
            var oldPlanName = (await subscriptions.PlanNameAsync(subscription.PlanId, cancellationToken)) ?? subscription.Product;
            if (credit != 0m)
                lines.Add(new LineDraft(InvoiceLineKind.Proration, $"Unused time on {oldPlanName} x {subscription.Quantity} after {at:yyyy-MM-dd HH:mm:ss} UTC",
                    1m, credit, credit, at, end));
            if (charge != 0m)
                lines.Add(new LineDraft(InvoiceLineKind.Proration, $"Remaining time on {plan.Name} x {quantity} from {at:yyyy-MM-dd HH:mm:ss} UTC",
                    1m, charge, charge, at, newEnd));
        }
        var profile = await BillingProfile.ForAsync(db, subscription.OrganizationId, cancellationToken);
        var invoice = lines.Count == 0 ? null
            : InvoiceMath.Build(subscription.OrganizationId, currency, profile.TaxRatePercent, lines, db.Clock, subscription.Id,
                memo: $"Proration for the change of subscription {subscription.Id}");
        var credited = invoice?.Lines.Where(l => l.Amount < 0m).Sum(l => l.Amount) ?? 0m;
        var charged = invoice?.Lines.Where(l => l.Amount > 0m).Sum(l => l.Amount) ?? 0m;
        var preview = new ProrationPreview(subscription.Id, at, currency, credited, charged, credited + charged, profile.TaxRatePercent,
            invoice?.Tax ?? 0m, invoice?.Total ?? 0m,
            invoice?.Lines.Select(l => new ProrationLine(l.Description, l.Amount, l.PeriodStart!.Value, l.PeriodEnd!.Value)).ToList() ?? [],
            newStart, newEnd);
        return new PlannedChange(subscription, plan, quantity, preview, invoice);
    }
}
