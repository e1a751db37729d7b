using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Payments;

public enum PaymentStatus
{
    /// <summary>Reserved: the provider is being asked. A payment stays here only if the process died mid-call.</summary>
    Processing,
    /// <summary>The card needs an extra authentication step (3-D Secure) before it is charged.</summary>
    RequiresAction,
    Succeeded,
    Failed,
}

/// <summary>
/// One attempt to collect an invoice's amount due through a provider. Created before the provider
/// is asked (so a concurrent retry with the same <see cref="IdempotencyKey"/> finds it and never
/// charges again), then updated with the provider's answer or later by its webhooks.
/// </summary>
public sealed class Payment : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string InvoiceId { get; init; }
    public decimal Amount { get; init; }
    public required string Currency { get; init; }
    public PaymentStatus Status { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public decimal AmountRefunded { get; set; }
    public required string Provider { get; init; }
    public string? ProviderPaymentId { get; set; }
    public string? PaymentMethodId { get; init; }
    /// <summary>The client's Idempotency-Key, unique per organization: the belt under the middleware's braces.</summary>
    public required string IdempotencyKey { get; init; }
    /// <summary>1 for the customer's own payment; 2.. for dunning retries of the same invoice.</summary>
    public int Attempt { get; init; } = 1;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The creation time of the last provider event applied, so an older event arriving late changes nothing.</summary>
    public DateTimeOffset? ProviderStateAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// A saved way to pay: the provider's token for a card, never the card number (which the sandbox
/// tokenizes at once and Stripe never lets us see in the first place).
/// </summary>
public sealed class PaymentMethod : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Provider { get; init; }
    [Secret]
    public required string Token { get; init; }
    public required string Brand { get; init; }
    public string? Last4 { get; init; }
    public int? ExpMonth { get; init; }
    public int? ExpYear { get; init; }
    public bool IsDefault { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("Payments");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.InvoiceId).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.FailureCode).HasMaxLength(60);
        builder.Property(e => e.FailureMessage).HasMaxLength(300);
        builder.Property(e => e.Provider).HasMaxLength(20);
        builder.Property(e => e.ProviderPaymentId).HasMaxLength(100);
        builder.Property(e => e.PaymentMethodId).HasMaxLength(40);
        builder.Property(e => e.IdempotencyKey).HasMaxLength(255);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => new { e.OrganizationId, e.IdempotencyKey }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.InvoiceId });
        builder.HasIndex(e => e.ProviderPaymentId);
    }
}

internal sealed class PaymentMethodConfiguration : IEntityTypeConfiguration<PaymentMethod>
{
    public void Configure(EntityTypeBuilder<PaymentMethod> builder)
    {
        builder.ToTable("PaymentMethods");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Provider).HasMaxLength(20);
        builder.Property(e => e.Token).HasMaxLength(255);
        builder.Property(e => e.Brand).HasMaxLength(20);
        builder.Property(e => e.Last4).HasMaxLength(4);
        builder.HasIndex(e => e.OrganizationId);
    }
}
