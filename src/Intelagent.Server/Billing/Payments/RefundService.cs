using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// Refunds, full or partial, each with a credit note. The amount is first reserved on the payment
/// (its <see cref="Payment.AmountRefunded"/> grows under the row's version), so concurrent refunds can
/// never together exceed what was paid; the provider is asked after, with the refund's id as its
/// idempotency key; a refusal releases the reservation.
/// </summary>
public sealed class RefundService(AppDb db, IPaymentProvider provider)
{
    private const int Attempts = 5;

    public async Task<Result<RefundResponse>> RefundAcrossTenantsAsync(string paymentId, CreateRefundRequest request, CancellationToken cancellationToken)
    {
        if (request.Reason is { Length: > 300 }) return Error.Validation("reason", "must be at most 300 characters.");
        if (request.Amount is { } asked && asked <= 0m) return Error.Validation("amount", "must be greater than zero.");

        Refund? refund = null;
        Payment? payment = null;
        for (var attempt = 1; refund is null; attempt++)
        {
            db.ChangeTracker.Clear();
            // Operators refund from /api/admin, where no tenant is resolved: the payment's own organization is used.
            payment = await db.Set<Payment>().IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
            if (payment is null) return Error.NotFound("payment");
            if (payment.Status != PaymentStatus.Succeeded) return Error.Conflict("payment_not_succeeded", "Only a succeeded payment can be refunded.");
            var remaining = payment.Amount - payment.AmountRefunded;
            var amount = request.Amount ?? remaining;
            if (amount != Currencies.Round(amount, payment.Currency)) return Error.Validation("amount", $"has more decimals than {payment.Currency} allows.");
            if (remaining <= 0m) return Error.Conflict("payment_fully_refunded", "This payment has been refunded in full.");
            if (amount > remaining) return Error.Unprocessable("refund_exceeds_payment", $"At most {remaining} {payment.Currency} of this payment can still be refunded.");
            payment.AmountRefunded += amount;
            payment.UpdatedAt = db.Clock.GetUtcNow();
            payment.Version++;
            var pending = NewRefund(payment, amount, request.Reason);
            db.Set<Refund>().Add(pending);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                refund = pending;
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                // Another refund reserved first: read the payment again and check what is left.
            }
            catch (DbUpdateConcurrencyException)
            {
                return Error.Conflict("refund_in_progress", "Other refunds of this payment are being made; retry shortly.");
            }
        }

        var answer = await provider.RefundAsync(payment!.ProviderPaymentId ?? "", Currencies.ToMinorUnits(refund.Amount, refund.Currency), refund.Id, cancellationToken);
        return answer.Succeeded
            ? await CompleteAsync(refund.Id, answer.ProviderRefundId, cancellationToken)
            : await ReleaseAsync(refund.Id, answer.FailureCode, cancellationToken);
    }

    /// <summary>
    /// Records a refund made at the provider (Stripe's dashboard, seen by webhook) that we did not ask
    /// for: the difference between the provider's refunded total and ours.
    /// </summary>
    public async Task RecordExternalAsync(Payment payment, decimal refundedAtProvider, string? providerRefundId, CancellationToken cancellationToken)
    {
        var amount = refundedAtProvider - payment.AmountRefunded;
        if (amount <= 0m) return;
        payment.AmountRefunded = refundedAtProvider;
        payment.UpdatedAt = db.Clock.GetUtcNow();
        payment.Version++;
        var refund = NewRefund(payment, amount, "Refunded at the provider");
        refund.ProviderRefundId = providerRefundId;
        db.Set<Refund>().Add(refund);
        await IssueAsync(refund, cancellationToken);
    }

    public async Task<CreditNote?> IssueAsync(Refund refund, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        refund.Status = RefundStatus.Succeeded;
        var invoice = await db.Set<Invoice>().IgnoreQueryFilters().FirstAsync(i => i.Id == refund.InvoiceId, cancellationToken);
        invoice.AmountRefunded += refund.Amount;
        invoice.Version++;
        var year = now.Year;
        var last = await db.Set<CreditNote>().IgnoreQueryFilters().Where(c => c.Year == year).MaxAsync(c => (int?)c.Sequence, cancellationToken) ?? 0;
        var note = new CreditNote
        {
            Id = Id.New(IdPrefix.CreditNote, db.Clock),
            OrganizationId = refund.OrganizationId,
            Year = year,
            Sequence = last + 1,
            Number = $"CN-{year}-{last + 1:D6}",
            InvoiceId = refund.InvoiceId,
            RefundId = refund.Id,
            Amount = refund.Amount,
            Currency = refund.Currency,
            Reason = refund.Reason,
            IssuedAt = now,
        };
        db.Set<CreditNote>().Add(note);
        refund.CreditNoteId = note.Id;
        db.Raise(new PaymentRefunded(refund.OrganizationId, refund.Id, refund.PaymentId, refund.InvoiceId, refund.Amount, refund.Currency, note.Number));
        return note;
    }

    private async Task<Result<RefundResponse>> CompleteAsync(string refundId, string? providerRefundId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var refund = await db.Set<Refund>().IgnoreQueryFilters().FirstAsync(r => r.Id == refundId, cancellationToken);
            refund.ProviderRefundId = providerRefundId;
            var note = await IssueAsync(refund, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return RefundResponse.From(refund, note);
            }
            catch (DbUpdateException exception) when (attempt < Attempts && (exception is DbUpdateConcurrencyException || UniqueViolation.Is(exception)))
            {
                // Another credit note took this number, or the invoice changed: number again. No gap is left.
            }
        }
    }

    private async Task<Result<RefundResponse>> ReleaseAsync(string refundId, string? failureCode, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var refund = await db.Set<Refund>().IgnoreQueryFilters().FirstAsync(r => r.Id == refundId, cancellationToken);
            var payment = await db.Set<Payment>().IgnoreQueryFilters().FirstAsync(p => p.Id == refund.PaymentId, cancellationToken);
            refund.Status = RefundStatus.Failed;
            refund.FailureCode = failureCode ?? "refund_failed";
            payment.AmountRefunded -= refund.Amount;
            payment.Version++;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return Error.Unprocessable("refund_failed", $"The provider refused the refund ({refund.FailureCode}).");
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
            }
        }
    }

    public async Task<IReadOnlyList<CreditNoteResponse>> CreditNotesAsync(string? invoiceId, CancellationToken cancellationToken)
    {
        var query = db.Set<CreditNote>().AsNoTracking();
        if (!string.IsNullOrEmpty(invoiceId)) query = query.Where(c => c.InvoiceId == invoiceId);
        return (await query.OrderByDescending(c => c.Id).Take(500).ToListAsync(cancellationToken)).Select(CreditNoteResponse.From).ToList();
    }

    private Refund NewRefund(Payment payment, decimal amount, string? reason) => new()
    {
        Id = Id.New(IdPrefix.Refund, db.Clock),
        OrganizationId = payment.OrganizationId,
        PaymentId = payment.Id,
        InvoiceId = payment.InvoiceId,
        Amount = amount,
        Currency = payment.Currency,
        Status = RefundStatus.Pending,
        Reason = reason,
        CreatedAt = db.Clock.GetUtcNow(),
    };
}
