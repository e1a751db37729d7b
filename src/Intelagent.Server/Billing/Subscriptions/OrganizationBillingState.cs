using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>
/// Keeps the organization's read model of billing up to date: <c>Organization.Mrr</c> (the sum of its
/// subscriptions' MRR now, from the ledger, in the reporting currency) and, when the platform
/// subscription changes, <c>Organization.SubscriptionTier</c>, which sets the usage limits. The tier
/// goes through <see cref="OrganizationService.ChangeTierAsync"/>, whose <c>OrganizationUpdated</c>
/// makes every node's usage module forget its cached limits. Idempotent, so a redelivered event is harmless.
/// </summary>
public sealed class OrganizationBillingState(AppDb db, IExchangeRates rates, OrganizationService organizations, UsageLimitsProvider limits,
    ILogger<OrganizationBillingState> logger)
    : IDomainEventHandler<SubscriptionChanged>
{
    public async Task HandleAsync(SubscriptionChanged domainEvent, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await ApplyTierAsync(domainEvent.SubscriptionId, cancellationToken);
        await RefreshMrrAsync(domainEvent.OrganizationId, cancellationToken);
    }

    /// <summary>For the platform product: the live subscription's tier, or free once it is canceled.</summary>
    public async Task ApplyTierAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var subscription = await db.Set<Subscription>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken);
        if (subscription is null || subscription.Product != Products.Platform) return;
        var live = await db.Set<Subscription>().IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.OrganizationId == subscription.OrganizationId && s.Product == Products.Platform && s.Status != SubscriptionStatus.Canceled)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        await organizations.ChangeTierAsync(subscription.OrganizationId, live?.Tier ?? SubscriptionTier.Free, cancellationToken);
        // This node applies the new limits now; other nodes follow the OrganizationUpdated event (or the cache lifetime).
        limits.Forget(subscription.OrganizationId);
    }

    /// <summary>
    /// Puts the tier a platform subscription now gives into the caller's unit of work, so it commits
    /// with the subscription change itself; call <see cref="AfterCommit"/> once saved. Returns whether it changed.
    /// </summary>
    public async Task<bool> StageTierAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        if (subscription.Product != Products.Platform) return false;
        var tier = subscription.Status == SubscriptionStatus.Canceled ? SubscriptionTier.Free : subscription.Tier;
        var organization = await db.Organizations.IgnoreQueryFilters().FirstOrDefaultAsync(o => o.Id == subscription.OrganizationId, cancellationToken);
        if (organization is null || organization.SubscriptionTier == tier) return false;
        organization.SubscriptionTier = tier;
        organization.Version++;
        organization.UpdatedAt = db.Clock.GetUtcNow();
        db.Raise(new OrganizationUpdated(organization.Id, ["subscriptionTier"]));
        return true;
    }

    /// <summary>This node applies new limits at once; other nodes follow the OrganizationUpdated event (or the cache lifetime).</summary>
    public void AfterCommit(string organizationId, bool tierChanged)
    {
        if (tierChanged) limits.Forget(organizationId);
    }

    public async Task RefreshMrrAsync(string organizationId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var events = await db.Set<SubscriptionEvent>().IgnoreQueryFilters().AsNoTracking()
            .Where(e => e.OrganizationId == organizationId && e.At <= now).ToListAsync(cancellationToken);
        var mrr = 0m;
        foreach (var latest in events.GroupBy(e => e.SubscriptionId).Select(g => g.OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).Last()))
        {
            var monthly = latest.MonthlyAmountAt(now);
            if (monthly == 0m) continue;
            if (await rates.RateToReportingAsync(latest.Currency, now, cancellationToken) is not { } rate)
            {
                logger.LogWarning("No exchange rate for {Currency}: subscription {SubscriptionId} is left out of the organization's MRR", latest.Currency, latest.SubscriptionId);
                continue;
            }
            mrr += monthly * rate;
        }
        mrr = Currencies.Round(mrr, Currencies.Reporting);
        var organization = await db.Organizations.IgnoreQueryFilters().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null || (organization.Mrr == mrr && organization.MrrCurrency == Currencies.Reporting)) return;
        organization.Mrr = mrr;
        organization.MrrCurrency = Currencies.Reporting;
        await db.SaveChangesAsync(cancellationToken);
    }
}
