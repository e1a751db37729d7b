using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// The one place a provider's answer (at the call, on confirmation, or by webhook) changes a payment
/// and its invoice. Succeeded is final: nothing later turns it back. Other states move only forward
/// in the provider's time (<see cref="Payment.ProviderStateAt"/>), so out-of-order webhooks leave the
/// right final state. Conflicting writers (a webhook racing the API call) retry on the row versions.
/// </summary>
public sealed class PaymentOutcomes(AppDb db, Dunning dunning)
{
    private const int Attempts = 5;

    /// <summary>Applies the outcome and saves, with <paramref name="alsoWithin"/> added to the same transaction.</summary>
    public async Task<Payment?> ApplyAndSaveAsync(string paymentId, ProviderCharge charge, DateTimeOffset? providerTime, Action<AppDb>? alsoWithin, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var payment = await db.Set<Payment>().IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
            if (payment is null) return null;
            if (payment.ProviderPaymentId is null && charge.ProviderPaymentId is not null) payment.ProviderPaymentId = charge.ProviderPaymentId;
            var before = payment.Status;
            await ApplyAsync(payment, charge, providerTime, cancellationToken);
            alsoWithin?.Invoke(db);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                if (payment.Status != before && payment.Status is PaymentStatus.Succeeded or PaymentStatus.Failed)
                    Platform.Telemetry.PlatformMetrics.PaymentCompleted(payment.Status == PaymentStatus.Succeeded);
                return payment;
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                // Someone else changed the invoice or payment: read both again and re-apply.
            }
        }
    }

    private async Task ApplyAsync(Payment payment, ProviderCharge charge, DateTimeOffset? providerTime, CancellationToken cancellationToken)
    {
        var status = charge.Status switch
        {
            ChargeStatus.Succeeded => PaymentStatus.Succeeded,
            ChargeStatus.RequiresAction => PaymentStatus.RequiresAction,
            _ => PaymentStatus.Failed,
        };
        if (payment.Status == PaymentStatus.Succeeded || payment.Status == status) return;
        if (status != PaymentStatus.Succeeded && providerTime is { } at && payment.ProviderStateAt is { } seen && at < seen) return;

        var now = db.Clock.GetUtcNow();
        payment.Status = status;
        payment.FailureCode = status == PaymentStatus.Failed ? Truncate(charge.FailureCode ?? "payment_failed", 60) : null;
        payment.FailureMessage = status == PaymentStatus.Failed ? Truncate(charge.FailureMessage, 300) : null;
        payment.UpdatedAt = now;
        if (providerTime is { } time && (payment.ProviderStateAt is null || time > payment.ProviderStateAt)) payment.ProviderStateAt = time;
        payment.Version++;

        var invoice = await db.Set<Invoice>().IgnoreQueryFilters().FirstAsync(i => i.Id == payment.InvoiceId && i.OrganizationId == payment.OrganizationId, cancellationToken);
        if (status == PaymentStatus.Succeeded)
        {
            invoice.AmountPaid += payment.Amount;
            invoice.Version++;
            if (invoice.Status is InvoiceStatus.Open or InvoiceStatus.Uncollectible && invoice.AmountPaid >= invoice.Total)
            {
                invoice.Status = InvoiceStatus.Paid;
                invoice.PaidAt = now;
                db.Raise(new InvoicePaid(invoice.OrganizationId, invoice.Id, invoice.AmountPaid, invoice.Currency));
            }
            await dunning.RecordSuccessAsync(invoice, cancellationToken);
            db.Raise(new PaymentSucceeded(payment.OrganizationId, payment.Id, payment.InvoiceId, payment.Amount, payment.Currency, payment.Attempt));
        }
        else if (status == PaymentStatus.Failed)
        {
            var (next, canceled) = await dunning.RecordFailureAsync(invoice, payment, cancellationToken);
            invoice.Version++;
            db.Raise(new PaymentFailed(payment.OrganizationId, payment.Id, payment.InvoiceId, payment.Amount, payment.Currency, payment.Attempt,
                payment.FailureCode, payment.FailureMessage, next, canceled));
        }
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}

/// <summary>Why an invoice cannot be paid now, or null when it can.</summary>
public static class Payability
{
    public static Error? Check(Invoice invoice) => invoice.Status switch
    {
        InvoiceStatus.Paid => Error.Conflict("invoice_already_paid", "This invoice is paid already."),
        InvoiceStatus.Void => Error.Conflict("invoice_void", "This invoice was voided and cannot be paid."),
        InvoiceStatus.Draft => Error.Conflict("invoice_not_finalized", "This invoice is a draft; it can be paid once it is issued."),
        _ when invoice.Total - invoice.AmountPaid <= 0m => Error.Conflict("invoice_nothing_due", "Nothing is due on this invoice."),
        _ => null,
    };
}
