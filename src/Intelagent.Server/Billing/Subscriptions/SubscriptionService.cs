using Intelagent.Server.Billing.Invoicing;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>An organization's subscriptions: start, read, cancel, discount. Every change is appended to the ledger.</summary>
public sealed class SubscriptionService(AppDb db, InvoiceIssuer issuer, OrganizationBillingState state)
{
    public const int MaxQuantity = 10_000;

    public Task<Page<SubscriptionResponse>> ListAsync(PageRequest page, SubscriptionStatus? status, string? product, string? organizationId,
        bool acrossTenants, CancellationToken cancellationToken)
    {
        var query = acrossTenants ? db.Set<Subscription>().IgnoreQueryFilters() : db.Set<Subscription>();
        if (organizationId is not null) query = query.Where(s => s.OrganizationId == organizationId);
        if (status is not null) query = query.Where(s => s.Status == status);
        if (product is not null) query = query.Where(s => s.Product == product);
        return query.AsNoTracking().OrderByDescending(s => s.Id).ToPageAsync(page, (q, after) => q.Where(s => string.Compare(s.Id, after) < 0),
            s => s.Id, SubscriptionResponse.From, cancellationToken);
    }

    public Task<Subscription?> FindAsync(string id, bool acrossTenants, CancellationToken cancellationToken) =>
        (acrossTenants ? db.Set<Subscription>().IgnoreQueryFilters() : db.Set<Subscription>()).FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    public async Task<string?> PlanNameAsync(string planId, CancellationToken cancellationToken) =>
        await db.Set<Plan>().Where(p => p.Id == planId).Select(p => p.Name).FirstOrDefaultAsync(cancellationToken);

    public async Task<Result<Subscription>> CreateAsync(CreateSubscriptionRequest request, CancellationToken cancellationToken)
    {
        var organizationId = db.Request.OrganizationId!;
        var validation = new Validation().Required("planId", request.PlanId)
            .When(request.Quantity is < 1 or > MaxQuantity, "quantity", $"must be between 1 and {MaxQuantity}.");
        if (validation.Failed) return validation.ToError();
        var plan = await PlanService.AvailableAsync(db, request.PlanId!, organizationId, cancellationToken);
        if (plan is null) return Error.Validation("planId", "is not a plan offered to this organization.");
        if (await db.Set<Subscription>().AnyAsync(s => s.Product == plan.Product && s.Status != SubscriptionStatus.Canceled, cancellationToken))
            return Error.Conflict("subscription_exists", $"This organization already has a {plan.Product} subscription; change its plan instead.");

        var now = db.Clock.GetUtcNow();
        // One trial per product and organization: a returning customer pays from the start.
        var hadOne = await db.Set<Subscription>().AnyAsync(s => s.Product == plan.Product, cancellationToken);
        var trialEnd = plan.TrialDays > 0 && request.SkipTrial != true && !hadOne ? now.AddDays(plan.TrialDays) : (DateTimeOffset?)null;
        var subscription = new Subscription
        {
            Id = Id.New(IdPrefix.Subscription, db.Clock),
            OrganizationId = organizationId,
            PlanId = plan.Id,
            Product = plan.Product,
            Tier = plan.Tier,
            Interval = plan.Interval,
            UnitAmount = plan.UnitAmount,
            Currency = plan.Currency,
            Quantity = request.Quantity ?? 1,
            TrialEndsAt = trialEnd,
            Status = trialEnd is null ? SubscriptionStatus.Active : SubscriptionStatus.Trialing,
            CurrentPeriodStart = now,
            CurrentPeriodEnd = trialEnd ?? Proration.AddInterval(now, plan.Interval),
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Set<Subscription>().Add(subscription);
        SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Start, now, db.Clock);
        var invoice = trialEnd is null ? await PeriodInvoices.ForPeriodAsync(db, subscription, plan, null, cancellationToken) : null;
        if (invoice is not null) db.Set<Invoice>().Add(invoice);
        var tierChanged = await state.StageTierAsync(subscription, cancellationToken);
        await issuer.SaveAndIssueAsync(invoice is null ? [] : [invoice], cancellationToken);
        state.AfterCommit(organizationId, tierChanged);
        return subscription;
    }

    public async Task<Result<Subscription>> CancelAsync(string id, CancelSubscriptionRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(id, false, cancellationToken);
        if (subscription is null) return Error.NotFound("subscription");
        if (!ifMatch(subscription.Version)) return Error.Stale("subscription");
        if (subscription.Status == SubscriptionStatus.Canceled) return Error.Conflict("subscription_canceled", "The subscription is already canceled.");
        var now = db.Clock.GetUtcNow();
        var atPeriodEnd = request.AtPeriodEnd ?? true;
        if (atPeriodEnd && subscription.CancelAtPeriodEnd) return subscription;
        if (atPeriodEnd) subscription.CancelAtPeriodEnd = true;
        else
        {
            subscription.Status = SubscriptionStatus.Canceled;
            subscription.CanceledAt = now;
            subscription.CancelAtPeriodEnd = false;
        }
        subscription.UpdatedAt = now;
        subscription.Version++;
        SubscriptionLedger.Append(db, subscription, atPeriodEnd ? SubscriptionEventType.Change : SubscriptionEventType.Cancel, now, db.Clock);
        var tierChanged = await state.StageTierAsync(subscription, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        state.AfterCommit(subscription.OrganizationId, tierChanged);
        return subscription;
    }

    /// <summary>An operator's discount on one subscription, from now on (the next periods and proration use it).</summary>
    public async Task<Result<Subscription>> SetDiscountAsync(string id, DiscountRequest request, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var validation = new Validation()
            .When(request.Percent is < 0m or > 100m, "percent", "must be between 0 and 100.")
            .When(request.Amount is < 0m, "amount", "must not be negative.")
            .Amount("amount", request.Amount)
            .When(request.EndsAt is { } end && end <= now, "endsAt", "must be in the future.");
        if (validation.Failed) return validation.ToError();
        var subscription = await FindAsync(id, true, cancellationToken);
        if (subscription is null) return Error.NotFound("subscription");
        if (subscription.Status == SubscriptionStatus.Canceled) return Error.Conflict("subscription_canceled", "The subscription is canceled.");
        subscription.DiscountPercent = request.Percent ?? 0m;
        subscription.DiscountAmount = Currencies.Round(request.Amount ?? 0m, subscription.Currency);
        subscription.DiscountEndsAt = request.EndsAt;
        subscription.UpdatedAt = now;
        subscription.Version++;
        SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Change, now, db.Clock);
        await db.SaveChangesAsync(cancellationToken);
        return subscription;
    }
}
