using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Payments;

/// <summary>A payment and whether it is the answer to an earlier request with the same key.</summary>
public sealed record PaymentResult(Payment Payment, bool Replayed);

/// <summary>
/// A tenant pays its own open invoice. The payment row is reserved first (unique per organization
/// and Idempotency-Key, and bumping the invoice's version so two different keys cannot pay one
/// invoice at once), then the provider is asked with the payment's id as its idempotency key.
/// </summary>
public sealed class PaymentService(AppDb db, IPaymentProvider provider, PaymentOutcomes outcomes, PaymentMethodService methods)
{
    public async Task<Result<PaymentResult>> PayAsync(CreatePaymentRequest request, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey))
            return Error.BadRequest("idempotency_key_required", "Send an Idempotency-Key header with every payment, so a retry never charges twice.");
        var sources = new[] { request.PaymentMethodId, request.CardNumber, request.Token }.Count(s => !string.IsNullOrWhiteSpace(s));
        var validation = new Validation().Required("invoiceId", request.InvoiceId).Length("invoiceId", request.InvoiceId, 40)
            .When(sources != 1, "paymentMethodId", "give exactly one of paymentMethodId, cardNumber or token.")
            .Length("token", request.Token, 255).Length("cardNumber", request.CardNumber, 30);
        if (validation.Failed) return validation.ToError();

        var replay = await ReplayAsync(idempotencyKey, request.InvoiceId!, cancellationToken);
        if (replay is not null) return replay.Value;
        var invoice = await db.Set<Invoice>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == request.InvoiceId, cancellationToken);
        if (invoice is null) return Error.NotFound("invoice");
        if (Payability.Check(invoice) is { } notPayable) return notPayable;

        string token;
        string? methodId = null;
        if (request.PaymentMethodId is { Length: > 0 })
        {
            var method = await methods.FindAsync(request.PaymentMethodId, cancellationToken);
            if (method is null) return Error.NotFound("payment method");
            if (method.Provider != provider.Name) return Error.Unprocessable("payment_method_of_other_provider", $"This method was saved with {method.Provider}; payments now go through {provider.Name}.");
            (token, methodId) = (method.Token, method.Id);
        }
        else
        {
            // A card number is tokenized here and forgotten: only the token travels on.
            var card = await provider.SaveMethodAsync(new CardInput(request.CardNumber, request.Token, request.ExpMonth, request.ExpYear), cancellationToken);
            if (!card.IsSuccess) return card.Error!;
            token = card.Value!.Token;
        }
        return await ChargeAsync(invoice.Id, token, methodId, idempotencyKey, attempt: 1, offSession: false, cancellationToken);
    }

    /// <summary>Charges an invoice's amount due; used by the API and by dunning retries.</summary>
    public async Task<Result<PaymentResult>> ChargeAsync(string invoiceId, string token, string? methodId, string idempotencyKey, int attempt, bool offSession, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        // A concurrent request with this key may have reserved the payment since the caller looked.
        if (await ReplayAsync(idempotencyKey, invoiceId, cancellationToken) is { } replay) return replay;
        var invoice = await db.Set<Invoice>().FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        if (invoice is null) return Error.NotFound("invoice");
        if (Payability.Check(invoice) is { } notPayable) return notPayable;
        var pendingKey = await db.Set<Payment>().Where(p => p.InvoiceId == invoiceId && (p.Status == PaymentStatus.Processing || p.Status == PaymentStatus.RequiresAction))
            .Select(p => p.IdempotencyKey).FirstOrDefaultAsync(cancellationToken);
        if (pendingKey is not null)
            return pendingKey == idempotencyKey && await ReplayAsync(idempotencyKey, invoiceId, cancellationToken) is { } own ? own
                : Error.Conflict("payment_in_progress", "A payment of this invoice is in progress or waits for authentication; confirm it or wait.");

        var now = db.Clock.GetUtcNow();
        var payment = new Payment
        {
            Id = Id.New(IdPrefix.Payment, db.Clock),
            OrganizationId = invoice.OrganizationId,
            InvoiceId = invoice.Id,
            Amount = invoice.Total - invoice.AmountPaid,
            Currency = invoice.Currency,
            Status = PaymentStatus.Processing,
            Provider = provider.Name,
            PaymentMethodId = methodId,
            IdempotencyKey = idempotencyKey,
            Attempt = attempt,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Set<Payment>().Add(payment);
        invoice.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return await ReplayAsync(idempotencyKey, invoiceId, cancellationToken)
                ?? Error.Conflict("payment_in_progress", "Another payment of this invoice started at the same moment.");
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            db.ChangeTracker.Clear();
            return await ReplayAsync(idempotencyKey, invoiceId, cancellationToken)
                ?? Error.Conflict("payment_in_progress", "A payment with this Idempotency-Key is being processed.");
        }

        var charge = await provider.ChargeAsync(new ChargeRequest(Currencies.ToMinorUnits(payment.Amount, payment.Currency), payment.Currency, token,
            payment.Id, payment.Id, invoice.Id, invoice.OrganizationId, offSession), cancellationToken);
        var applied = await outcomes.ApplyAndSaveAsync(payment.Id, charge, null, null, cancellationToken);
        return new PaymentResult(applied!, Replayed: false);
    }

    /// <summary>Completes a payment that waited for the customer's authentication step.</summary>
    public async Task<Result<Payment>> ConfirmAsync(string paymentId, CancellationToken cancellationToken)
    {
        var payment = await db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null) return Error.NotFound("payment");
        if (payment.Status != PaymentStatus.RequiresAction || payment.ProviderPaymentId is null)
            return Error.Conflict("payment_not_awaiting_action", $"This payment is {PaymentResponse.StatusName(payment.Status)}; only a payment that requires action can be confirmed.");
        var charge = await provider.ConfirmAsync(payment.ProviderPaymentId, cancellationToken);
        return (await outcomes.ApplyAndSaveAsync(payment.Id, charge, null, null, cancellationToken))!;
    }

    public async Task<Page<PaymentResponse>> ListAsync(PageRequest page, string? invoiceId, bool acrossTenants, CancellationToken cancellationToken)
    {
        var query = db.Set<Payment>().AsNoTracking();
        if (acrossTenants) query = query.IgnoreQueryFilters();
        if (!string.IsNullOrEmpty(invoiceId)) query = query.Where(p => p.InvoiceId == invoiceId);
        return await query.OrderByDescending(p => p.Id).ToPageAsync(page, (q, after) => q.Where(p => string.Compare(p.Id, after) < 0),
            p => p.Id, PaymentResponse.From, cancellationToken);
    }

    public Task<Payment?> GetAsync(string id, CancellationToken cancellationToken) =>
        db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);

    private async Task<Result<PaymentResult>?> ReplayAsync(string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var existing = await db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.IdempotencyKey == idempotencyKey, cancellationToken);
        if (existing is null) return null;
        if (existing.InvoiceId != invoiceId) return Error.Unprocessable("idempotency_key_reused", "This Idempotency-Key was used for another invoice's payment.");
        return new PaymentResult(existing, Replayed: true);
    }
}
