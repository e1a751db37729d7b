using Intelagent.Server.Billing.Kernel;

namespace Intelagent.Server.Billing.Invoicing;

public sealed record InvoiceLineResponse(string Id, int Position, InvoiceLineKind Kind, string Description, decimal Quantity, decimal UnitAmount,
    decimal Amount, decimal Tax, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd);

public sealed record InvoiceResponse(string Id, string OrganizationId, string? Number, InvoiceStatus Status, string Currency, string? SubscriptionId,
    DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd, decimal TaxRatePercent, decimal Subtotal, decimal Tax, decimal Total, decimal AmountPaid,
    decimal AmountDue, DateTimeOffset CreatedAt, DateTimeOffset? IssuedAt, DateTimeOffset? DueAt, DateTimeOffset? PaidAt, DateTimeOffset? VoidedAt,
    string? Memo, IReadOnlyList<InvoiceLineResponse> Lines, int Version)
{
    public static InvoiceResponse From(Invoice i) => new(i.Id, i.OrganizationId, i.Number, i.Status, i.Currency, i.SubscriptionId, i.PeriodStart,
        i.PeriodEnd, i.TaxRatePercent, i.Subtotal, i.Tax, i.Total, i.AmountPaid, i.AmountDue, i.CreatedAt, i.IssuedAt, i.DueAt, i.PaidAt, i.VoidedAt,
        i.Memo, i.Lines.OrderBy(l => l.Position).Select(l => new InvoiceLineResponse(l.Id, l.Position, l.Kind, l.Description, l.Quantity,
            l.UnitAmount, l.Amount, l.Tax, l.PeriodStart, l.PeriodEnd)).ToList(), i.Version);
}

public sealed record OneOffLineRequest(string? Description, decimal? Quantity, decimal? UnitAmount);

/// <summary>An operator's one-off invoice; the currency defaults to the organization's billing profile.</summary>
public sealed record CreateInvoiceRequest(string? OrganizationId, string? Currency, IReadOnlyList<OneOffLineRequest>? Lines, string? Memo, bool? Finalize);
