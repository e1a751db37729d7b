using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Kernel;

public enum SubscriptionEventType
{
    Start,
    Change,
    Cancel,
}

/// <summary>
/// One entry of the append-only subscription ledger, in the shape of the import format: the
/// full state of a subscription from <see cref="At"/> on. Metrics (MRR, movements, cohorts) are
/// computed from these rows alone, so history can be replayed and imported history joins in.
/// A cancel carries the last state; its MRR is zero from <see cref="At"/>.
/// </summary>
public sealed class SubscriptionEvent : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string SubscriptionId { get; init; }
    public SubscriptionEventType Type { get; init; }
    public DateTimeOffset At { get; init; }
    public required string Product { get; init; }
    /// <summary>Tier name as given (free, basic, pro, enterprise, or an imported tier).</summary>
    public required string Tier { get; init; }
    public BillingInterval Interval { get; init; }
    /// <summary>Price per unit per interval, before discount.</summary>
    public decimal Amount { get; init; }
    public required string Currency { get; init; }
    public int Quantity { get; init; }
    public decimal DiscountPercent { get; init; }
    public DateTimeOffset? TrialEndsAt { get; init; }
    /// <summary>The id the event had where it came from (an import), so re-importing changes nothing.</summary>
    public string? ExternalId { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>MRR in the event's currency at instant <paramref name="at"/> (decisions: "Money and metrics").</summary>
    public decimal MonthlyAmountAt(DateTimeOffset at)
    {
        if (Type == SubscriptionEventType.Cancel || at < At) return 0m;
        if (TrialEndsAt is { } trialEnd && at < trialEnd) return 0m;
        var perInterval = Amount * Quantity * (1m - DiscountPercent / 100m);
        return Interval == BillingInterval.Year ? perInterval / 12m : perInterval;
    }
}

internal sealed class SubscriptionEventConfiguration : IEntityTypeConfiguration<SubscriptionEvent>
{
    public void Configure(EntityTypeBuilder<SubscriptionEvent> builder)
    {
        builder.ToTable("SubscriptionEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.SubscriptionId).HasMaxLength(80);
        builder.Property(e => e.Product).HasMaxLength(40);
        builder.Property(e => e.Tier).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.ExternalId).HasMaxLength(80);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.Interval).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(e => new { e.OrganizationId, e.At });
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => e.ExternalId).IsUnique();
    }
}

/// <summary>Raised whenever a subscription's ledger grows, so billing can refresh the organization's MRR and tier.</summary>
public sealed record SubscriptionChanged(string OrganizationId, string SubscriptionId, SubscriptionEventType Type) : Platform.Events.IDomainEvent
{
    string? Platform.Events.IDomainEvent.OrganizationId => OrganizationId;
}

/// <summary>The one way to change a subscription's history: appends its current state to the ledger.</summary>
public static class SubscriptionLedger
{
    public static SubscriptionEvent Append(Platform.Data.AppDb db, Subscription subscription, SubscriptionEventType type, DateTimeOffset at, TimeProvider clock)
    {
        var entry = new SubscriptionEvent
        {
            Id = Platform.Ids.Id.New(Platform.Ids.IdPrefix.SubscriptionEvent, clock),
            OrganizationId = subscription.OrganizationId,
            SubscriptionId = subscription.Id,
            Type = type,
            At = at,
            Product = subscription.Product,
            Tier = subscription.Tier.ToString().ToLowerInvariant(),
            Interval = subscription.Interval,
            Amount = EffectiveUnitAmount(subscription, at),
            Currency = subscription.Currency,
            Quantity = subscription.Quantity,
            DiscountPercent = subscription.DiscountEndsAt is { } end && end <= at ? 0m : subscription.DiscountPercent,
            TrialEndsAt = subscription.TrialEndsAt,
            RecordedAt = clock.GetUtcNow(),
        };
        db.Set<SubscriptionEvent>().Add(entry);
        db.Raise(new SubscriptionChanged(subscription.OrganizationId, subscription.Id, type));
        return entry;
    }

    /// <summary>A fixed discount amount is folded into the unit price, so the ledger keeps the import shape.</summary>
    private static decimal EffectiveUnitAmount(Subscription subscription, DateTimeOffset at)
    {
        if (subscription.DiscountAmount == 0m || subscription.Quantity == 0) return subscription.UnitAmount;
        if (subscription.DiscountEndsAt is { } end && end <= at) return subscription.UnitAmount;
        var perUnitOff = subscription.DiscountAmount / subscription.Quantity / (1m - Math.Min(subscription.DiscountPercent, 99.9999m) / 100m);
        return Math.Max(0m, subscription.UnitAmount - perUnitOff);
    }
}
