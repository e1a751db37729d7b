using Intelagent.Server.Organizations;

namespace Intelagent.Server.Usage;

/// <summary>
/// An organization's limits. A null limit is unlimited. Bytes are decimal (1 GB = 10^9 bytes,
/// decisions: "Usage"); the per-minute rate and burst drive the token bucket.
/// </summary>
public sealed record UsageLimits(
    long? ApiCallsPerDay, long? StorageBytes, long? BandwidthBytesPerMonth, int? Seats, int? Projects, int RatePerMinute, int Burst);

/// <summary>The spec's "Usage Tiers" table and DECISIONS.md's per-minute buckets, as data.</summary>
public static class Plans
{
    public const long Gigabyte = 1_000_000_000L;
    public const long Terabyte = 1_000 * Gigabyte;

    public static readonly IReadOnlyDictionary<SubscriptionTier, UsageLimits> Tiers = new Dictionary<SubscriptionTier, UsageLimits>
    {
        [SubscriptionTier.Free] = new(1_000, 1 * Gigabyte, 10 * Gigabyte, 3, 1, 60, 120),
        [SubscriptionTier.Basic] = new(10_000, 10 * Gigabyte, 100 * Gigabyte, 10, 5, 300, 600),
        [SubscriptionTier.Pro] = new(100_000, 100 * Gigabyte, 1 * Terabyte, 50, 20, 1_000, 2_000),
        [SubscriptionTier.Enterprise] = new(null, 1 * Terabyte, 10 * Terabyte, 500, 100, 5_000, 10_000),
    };

    public static UsageLimits For(SubscriptionTier tier) => Tiers[tier];

    /// <summary>
    /// Cost prevention: requests of one organization in flight at once on one node, by tier
    /// (<c>Usage:ConcurrentRequests:{Tier}</c> overrides). Beyond it a call gets 429 at once instead
    /// of queueing behind the organization's own slow calls and holding threads and connections.
    /// </summary>
    public static readonly IReadOnlyDictionary<SubscriptionTier, int> ConcurrentRequests = new Dictionary<SubscriptionTier, int>
    {
        [SubscriptionTier.Free] = 10,
        [SubscriptionTier.Basic] = 25,
        [SubscriptionTier.Pro] = 50,
        [SubscriptionTier.Enterprise] = 200,
    };
}
