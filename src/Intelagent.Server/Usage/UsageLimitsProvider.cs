using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Usage;

/// <summary>Where each effective limit comes from.</summary>
public sealed record EffectiveLimits(SubscriptionTier Tier, UsageLimits Limits, UsageLimitOverride? Override);

/// <summary>
/// An organization's effective limits (tier, then operator override), read once and cached briefly:
/// the metering middleware asks on every call. A tier change (OrganizationUpdated, dispatched right
/// after commit) and an override change forget the entry, so they take effect at once on this node
/// and within the cache lifetime on the others.
/// </summary>
public sealed class UsageLimitsProvider(IMemoryCache cache, IServiceScopeFactory scopes, CacheInvalidation invalidation)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    public async Task<EffectiveLimits?> ForAsync(string organizationId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(organizationId), out EffectiveLimits? limits)) return limits;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var tier = await db.Organizations.IgnoreQueryFilters().AsNoTracking().Where(o => o.Id == organizationId)
            .Select(o => (SubscriptionTier?)o.SubscriptionTier).FirstOrDefaultAsync(cancellationToken);
        if (tier is null) return null;
        var custom = await db.Set<UsageLimitOverride>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(o => o.OrganizationId == organizationId, cancellationToken);
        limits = new EffectiveLimits(tier.Value, Apply(Plans.For(tier.Value), custom), custom);
        cache.Set(Key(organizationId), limits, Ttl);
        return limits;
    }

    public void Forget(string organizationId) => invalidation.Forget(Key(organizationId));

    public static UsageLimits Apply(UsageLimits tier, UsageLimitOverride? custom) => custom is null ? tier : new UsageLimits(
        Pick(tier.ApiCallsPerDay, custom.ApiCallsPerDay), Pick(tier.StorageBytes, custom.StorageBytes),
        Pick(tier.BandwidthBytesPerMonth, custom.BandwidthBytesPerMonth), (int?)Pick(tier.Seats, custom.Seats), (int?)Pick(tier.Projects, custom.Projects),
        custom.RatePerMinute ?? tier.RatePerMinute, custom.Burst ?? tier.Burst);

    private static long? Pick(long? tier, long? custom) => custom switch
    {
        null => tier,
        UsageLimitOverride.Unlimited => null,
        _ => custom,
    };

    private static string Key(string organizationId) => "usage-limits:" + organizationId;
}

/// <summary>A tier change applies at once: forget the cached limits.</summary>
public sealed class UsageLimitsOnTierChange(UsageLimitsProvider limits) : IDomainEventHandler<OrganizationUpdated>
{
    public Task HandleAsync(OrganizationUpdated domainEvent, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        limits.Forget(domainEvent.OrganizationId);
        return Task.CompletedTask;
    }
}
