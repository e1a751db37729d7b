using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Payments;

public enum RefundStatus
{
    /// <summary>The amount is reserved on the payment while the provider is asked.</summary>
    Pending,
    Succeeded,
    Failed,
}

/// <summary>Money returned on a succeeded payment, in full or in part; each one issues a credit note.</summary>
public sealed class Refund : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string PaymentId { get; init; }
    public required string InvoiceId { get; init; }
    public decimal Amount { get; init; }
    public required string Currency { get; init; }
    public RefundStatus Status { get; set; }
    public string? Reason { get; init; }
    public string? ProviderRefundId { get; set; }
    public string? FailureCode { get; set; }
    public string? CreditNoteId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// The document of a refund against an invoice, numbered like invoices in one gap-free sequence
/// per year (<c>CN-2026-000001</c>): the number is taken in the transaction that issues the note.
/// </summary>
public sealed class CreditNote : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Number { get; init; }
    public int Year { get; init; }
    public int Sequence { get; init; }
    public required string InvoiceId { get; init; }
    public required string RefundId { get; init; }
    public decimal Amount { get; init; }
    public required string Currency { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
}

/// <summary>A Stripe event id already applied: the same delivery twice is applied once.</summary>
[NotAudited]
public sealed class ProcessedWebhookEvent
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> builder)
    {
        builder.ToTable("Refunds");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.PaymentId).HasMaxLength(40);
        builder.Property(e => e.InvoiceId).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Reason).HasMaxLength(300);
        builder.Property(e => e.ProviderRefundId).HasMaxLength(100);
        builder.Property(e => e.FailureCode).HasMaxLength(60);
        builder.Property(e => e.CreditNoteId).HasMaxLength(40);
        builder.HasIndex(e => new { e.OrganizationId, e.PaymentId });
    }
}

internal sealed class CreditNoteConfiguration : IEntityTypeConfiguration<CreditNote>
{
    public void Configure(EntityTypeBuilder<CreditNote> builder)
    {
        builder.ToTable("CreditNotes");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Number).HasMaxLength(32);
        builder.Property(e => e.InvoiceId).HasMaxLength(40);
        builder.Property(e => e.RefundId).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Reason).HasMaxLength(300);
        builder.HasIndex(e => e.Number).IsUnique();
        builder.HasIndex(e => new { e.Year, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.InvoiceId });
    }
}

internal sealed class ProcessedWebhookEventConfiguration : IEntityTypeConfiguration<ProcessedWebhookEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedWebhookEvent> builder)
    {
        builder.ToTable("ProcessedWebhookEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(100);
        builder.Property(e => e.Type).HasMaxLength(100);
        builder.HasIndex(e => e.ReceivedAt);
    }
}
