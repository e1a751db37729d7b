using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Kernel;

public enum InvoiceStatus
{
    Draft,
    Open,
    Paid,
    Void,
    Uncollectible,
}

public enum InvoiceLineKind
{
    Subscription,
    Proration,
    Overage,
    OneOff,
}

/// <summary>
/// An invoice. A draft has no number; finalizing it takes the next number of the one gap-free
/// sequence (<c>INV-2026-000123</c>, decisions: "Money and metrics"). Totals are stored rounded to
/// the currency's minor unit; tax is exclusive, per line and in total.
/// </summary>
public sealed class Invoice : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public string? Number { get; set; }
    public InvoiceStatus Status { get; set; }
    public required string Currency { get; init; }
    public string? SubscriptionId { get; init; }
    /// <summary>The billing period an invoice of a subscription covers; with the subscription id it makes a run idempotent.</summary>
    public DateTimeOffset? PeriodStart { get; init; }
    public DateTimeOffset? PeriodEnd { get; init; }
    public decimal TaxRatePercent { get; set; }
    public decimal Subtotal { get; set; }
    public decimal Tax { get; set; }
    public decimal Total { get; set; }
    public decimal AmountPaid { get; set; }
    public decimal AmountRefunded { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? IssuedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public DateTimeOffset? VoidedAt { get; set; }
    public string? Memo { get; set; }
    public List<InvoiceLine> Lines { get; init; } = [];
    public int Version { get; set; }

    public decimal AmountDue => Status is InvoiceStatus.Open ? Math.Max(0m, Total - AmountPaid) : 0m;
}

public sealed class InvoiceLine
{
    public required string Id { get; init; }
    public required string InvoiceId { get; init; }
    public int Position { get; init; }
    public InvoiceLineKind Kind { get; init; }
    public required string Description { get; init; }
    public decimal Quantity { get; init; }
    public decimal UnitAmount { get; init; }
    /// <summary>Quantity x unit amount, rounded; negative for credits (proration of unused time).</summary>
    public decimal Amount { get; init; }
    public decimal Tax { get; init; }
    public DateTimeOffset? PeriodStart { get; init; }
    public DateTimeOffset? PeriodEnd { get; init; }
}

/// <summary>Raised when an invoice becomes paid in full.</summary>
public sealed record InvoicePaid(string OrganizationId, string InvoiceId, decimal Amount, string Currency) : Platform.Events.IDomainEvent
{
    string? Platform.Events.IDomainEvent.OrganizationId => OrganizationId;
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> builder)
    {
        builder.ToTable("Invoices");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Number).HasMaxLength(32);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.SubscriptionId).HasMaxLength(40);
        builder.Property(e => e.Memo).HasMaxLength(500);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.Ignore(e => e.AmountDue);
        builder.HasIndex(e => e.Number).IsUnique();
        builder.HasIndex(e => new { e.SubscriptionId, e.PeriodStart }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.Status });
        builder.HasMany(e => e.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InvoiceLineConfiguration : IEntityTypeConfiguration<InvoiceLine>
{
    public void Configure(EntityTypeBuilder<InvoiceLine> builder)
    {
        builder.ToTable("InvoiceLines");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.InvoiceId).HasMaxLength(40);
        builder.Property(e => e.Description).HasMaxLength(300);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Quantity).HasPrecision(19, 6);
        builder.Property(e => e.UnitAmount).HasPrecision(19, 6);
    }
}
