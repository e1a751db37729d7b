using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Kernel;

public enum BillingInterval
{
    Month,
    Year,
}

public enum SubscriptionStatus
{
    Trialing,
    Active,
    PastDue,
    Canceled,
}

/// <summary>
/// An organization's subscription to one product's plan: the current state. Every change to it is
/// also appended to the <see cref="SubscriptionEvent"/> ledger (see <see cref="SubscriptionLedger"/>),
/// from which the metrics are computed and history replayed.
/// </summary>
public sealed class Subscription : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string PlanId { get; set; }
    /// <summary>Product code: platform, chatbot, email_campaigns, lead_enrichment, or an imported one.</summary>
    public required string Product { get; set; }
    /// <summary>The plan's tier; for the platform product it sets the organization's usage limits.</summary>
    public SubscriptionTier Tier { get; set; }
    public BillingInterval Interval { get; set; }
    /// <summary>Price per unit per interval, before discount, in <see cref="Currency"/>.</summary>
    public decimal UnitAmount { get; set; }
    public required string Currency { get; set; }
    public int Quantity { get; set; } = 1;
    /// <summary>0 to 100.</summary>
    public decimal DiscountPercent { get; set; }
    /// <summary>A fixed amount off per interval (in <see cref="Currency"/>), applied after the percent.</summary>
    public decimal DiscountAmount { get; set; }
    public DateTimeOffset? DiscountEndsAt { get; set; }
    public DateTimeOffset? TrialEndsAt { get; set; }
    public SubscriptionStatus Status { get; set; }
    public DateTimeOffset CurrentPeriodStart { get; set; }
    public DateTimeOffset CurrentPeriodEnd { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> builder)
    {
        builder.ToTable("Subscriptions");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.PlanId).HasMaxLength(40);
        builder.Property(e => e.Product).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Tier).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Interval).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => new { e.OrganizationId, e.Status });
        builder.HasIndex(e => e.CurrentPeriodEnd);
    }
}
