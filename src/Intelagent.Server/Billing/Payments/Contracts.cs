using Intelagent.Server.Platform.Events;

namespace Intelagent.Server.Billing.Payments;

/// <summary>Pay an open invoice with a saved method (<see cref="PaymentMethodId"/>), a card, or a provider token.</summary>
public sealed record CreatePaymentRequest(string? InvoiceId, string? PaymentMethodId, string? CardNumber, string? Token, int? ExpMonth, int? ExpYear);

/// <summary>Status: processing, requires_action, succeeded, failed.</summary>
public sealed record PaymentResponse(string Id, string OrganizationId, string InvoiceId, decimal Amount, string Currency, string Status,
    string? FailureCode, string? FailureMessage, decimal AmountRefunded, string Provider, string? PaymentMethodId, int Attempt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PaymentResponse From(Payment p) => new(p.Id, p.OrganizationId, p.InvoiceId, p.Amount, p.Currency, StatusName(p.Status),
        p.FailureCode, p.FailureMessage, p.AmountRefunded, p.Provider, p.PaymentMethodId, p.Attempt, p.CreatedAt, p.UpdatedAt);

    /// <summary>Stripe's names for the states, which clients of payment APIs expect.</summary>
    public static string StatusName(PaymentStatus status) => status switch
    {
        PaymentStatus.RequiresAction => "requires_action",
        _ => status.ToString().ToLowerInvariant(),
    };
}

public sealed record AddPaymentMethodRequest(string? CardNumber, string? Token, int? ExpMonth, int? ExpYear, bool? MakeDefault);

public sealed record PaymentMethodResponse(string Id, string Provider, string Brand, string? Last4, int? ExpMonth, int? ExpYear, bool IsDefault, DateTimeOffset CreatedAt)
{
    public static PaymentMethodResponse From(PaymentMethod m) => new(m.Id, m.Provider, m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.IsDefault, m.CreatedAt);
}

/// <summary>No amount refunds what is left of the payment.</summary>
public sealed record CreateRefundRequest(decimal? Amount, string? Reason);

public sealed record CreditNoteResponse(string Id, string Number, string InvoiceId, string RefundId, decimal Amount, string Currency, string? Reason, DateTimeOffset IssuedAt)
{
    public static CreditNoteResponse From(CreditNote c) => new(c.Id, c.Number, c.InvoiceId, c.RefundId, c.Amount, c.Currency, c.Reason, c.IssuedAt);
}

public sealed record RefundResponse(string Id, string PaymentId, string InvoiceId, decimal Amount, string Currency, string Status, string? Reason,
    string? FailureCode, CreditNoteResponse? CreditNote, DateTimeOffset CreatedAt)
{
    public static RefundResponse From(Refund r, CreditNote? note) => new(r.Id, r.PaymentId, r.InvoiceId, r.Amount, r.Currency,
        r.Status.ToString().ToLowerInvariant(), r.Reason, r.FailureCode, note is null ? null : CreditNoteResponse.From(note), r.CreatedAt);
}

/// <summary>A payment went through.</summary>
public sealed record PaymentSucceeded(string OrganizationId, string PaymentId, string InvoiceId, decimal Amount, string Currency, int Attempt) : IDomainEvent
{
    string? IDomainEvent.OrganizationId => OrganizationId;
}

/// <summary>
/// A payment failed. For an invoice of a subscription it is a dunning step: <see cref="NextRetryAt"/>
/// says when the next retry runs, or <see cref="SubscriptionCanceled"/> that there is none left.
/// </summary>
public sealed record PaymentFailed(string OrganizationId, string PaymentId, string InvoiceId, decimal Amount, string Currency, int Attempt,
    string? FailureCode, string? FailureMessage, DateTimeOffset? NextRetryAt, bool SubscriptionCanceled) : IDomainEvent
{
    string? IDomainEvent.OrganizationId => OrganizationId;
}

/// <summary>Money went back to the customer, with the credit note that documents it.</summary>
public sealed record PaymentRefunded(string OrganizationId, string RefundId, string PaymentId, string InvoiceId, decimal Amount, string Currency, string CreditNoteNumber) : IDomainEvent
{
    string? IDomainEvent.OrganizationId => OrganizationId;
}
