using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// Stripe's webhooks: the signature is checked by Stripe.net (<c>EventUtility.ConstructEvent</c>,
/// HMAC-SHA256 over "timestamp.payload" with STRIPE_WEBHOOK_SECRET, at most five minutes old by our
/// clock). The event id is stored in the transaction that applies it, so a second delivery, even a
/// concurrent one, is applied once. Ordering is left to <see cref="PaymentOutcomes"/> (state and the
/// event's creation time) and to the refunded total being monotonic.
/// </summary>
public sealed class StripeWebhooks(AppDb db, IConfiguration configuration, PaymentOutcomes outcomes, RefundService refunds, ILogger<StripeWebhooks> logger)
{
    public const long ToleranceSeconds = 300;
    private const int Attempts = 5;

    /// <summary>What happened to the event: applied, ignored (not ours or not a type we use), or duplicate.</summary>
    public async Task<Result<string>> HandleAsync(string payload, string? signature, CancellationToken cancellationToken)
    {
        var secret = configuration["STRIPE_WEBHOOK_SECRET"];
        if (string.IsNullOrEmpty(secret)) return Error.BadRequest("webhooks_not_configured", "Stripe webhooks are not configured here (STRIPE_WEBHOOK_SECRET).");
        if (string.IsNullOrEmpty(signature)) return Error.BadRequest("invalid_signature", "The Stripe-Signature header is missing.");
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(payload, signature, secret, ToleranceSeconds, db.Clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (Exception exception) when (exception is StripeException or Newtonsoft.Json.JsonException or ArgumentException or FormatException)
        {
            return Error.BadRequest("invalid_signature", "The Stripe-Signature does not match this payload, or it is too old.");
        }

        if (await db.Set<ProcessedWebhookEvent>().AnyAsync(e => e.Id == stripeEvent.Id, cancellationToken)) return "duplicate";
        var created = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc));
        void Mark(AppDb context) => context.Set<ProcessedWebhookEvent>().Add(new ProcessedWebhookEvent
        {
            Id = stripeEvent.Id,
            Type = stripeEvent.Type,
            CreatedAt = created,
            ReceivedAt = context.Clock.GetUtcNow(),
        });
        try
        {
            return stripeEvent.Data.Object switch
            {
                PaymentIntent intent when stripeEvent.Type.StartsWith("payment_intent.", StringComparison.Ordinal) =>
                    await IntentChangedAsync(intent, created, Mark, cancellationToken),
                Charge charge when stripeEvent.Type == "charge.refunded" => await RefundedAsync(charge, Mark, cancellationToken),
                _ => await AcknowledgeAsync(Mark, cancellationToken),
            };
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            return "duplicate";
        }
    }

    private async Task<string> IntentChangedAsync(PaymentIntent intent, DateTimeOffset created, Action<AppDb> mark, CancellationToken cancellationToken)
    {
        var paymentId = await PaymentIdOfAsync(intent.Id, intent.Metadata, cancellationToken);
        if (paymentId is null) return await AcknowledgeAsync(mark, cancellationToken);
        await outcomes.ApplyAndSaveAsync(paymentId, StripePaymentProvider.Map(intent), created, mark, cancellationToken);
        return "applied";
    }

    private async Task<string> RefundedAsync(Charge charge, Action<AppDb> mark, CancellationToken cancellationToken)
    {
        var paymentId = charge.PaymentIntentId is null ? null : await PaymentIdOfAsync(charge.PaymentIntentId, charge.Metadata, cancellationToken);
        if (paymentId is null) return await AcknowledgeAsync(mark, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var payment = await db.Set<Payment>().IgnoreQueryFilters().FirstAsync(p => p.Id == paymentId, cancellationToken);
            // The refunded total only grows, so an older charge.refunded arriving late changes nothing.
            await refunds.RecordExternalAsync(payment, Currencies.FromMinorUnits(charge.AmountRefunded, payment.Currency), charge.Refunds?.Data?.LastOrDefault()?.Id, cancellationToken);
            mark(db);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return "applied";
            }
            catch (DbUpdateException exception) when (attempt < Attempts && !UniqueViolation.Is(exception))
            {
                logger.LogInformation("Retrying charge.refunded for {PaymentId} after a concurrent change", paymentId);
            }
        }
    }

    private async Task<string> AcknowledgeAsync(Action<AppDb> mark, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        mark(db);
        await db.SaveChangesAsync(cancellationToken);
        return "ignored";
    }

    /// <summary>Our payment for a PaymentIntent: by the id Stripe gave, or by the metadata we sent if we never heard back.</summary>
    private async Task<string?> PaymentIdOfAsync(string intentId, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var byIntent = await db.Set<Payment>().IgnoreQueryFilters().Where(p => p.ProviderPaymentId == intentId).Select(p => p.Id).FirstOrDefaultAsync(cancellationToken);
        if (byIntent is not null || metadata is null || !metadata.TryGetValue("payment_id", out var paymentId)) return byIntent;
        return await db.Set<Payment>().IgnoreQueryFilters().Where(p => p.Id == paymentId && p.ProviderPaymentId == null).Select(p => p.Id).FirstOrDefaultAsync(cancellationToken);
    }
}
