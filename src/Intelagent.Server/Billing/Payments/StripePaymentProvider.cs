using Intelagent.Server.Platform.Problems;
using Stripe;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// The Stripe adapter on Stripe.net (PaymentIntents), used when STRIPE_SECRET_KEY is set. Card
/// numbers never reach this server with Stripe: the browser tokenizes them with Stripe.js, and a
/// raw number is refused. Every call carries an idempotency key, so Stripe itself never charges or
/// refunds twice for one of our payments or refunds.
/// </summary>
public sealed class StripePaymentProvider(IStripeClient client, ILogger<StripePaymentProvider> logger) : IPaymentProvider
{
    public const string ProviderName = "stripe";

    public string Name => ProviderName;

    public async Task<Result<SavedCard>> SaveMethodAsync(CardInput input, CancellationToken cancellationToken)
    {
        if (input.Token is not { Length: > 0 } token)
            return Error.Unprocessable("card_numbers_not_accepted", "With Stripe, send a PaymentMethod id (pm_...) created by Stripe.js; card numbers are not accepted.");
        try
        {
            var method = await new Stripe.PaymentMethodService(client).GetAsync(token, cancellationToken: cancellationToken);
            return new SavedCard(method.Id, method.Card?.Brand ?? method.Type ?? "card", method.Card?.Last4, (int?)method.Card?.ExpMonth, (int?)method.Card?.ExpYear);
        }
        catch (StripeException exception)
        {
            return Error.Unprocessable("unknown_payment_token", exception.StripeError?.Message ?? "Stripe does not know this payment method.");
        }
    }

    public async Task<ProviderCharge> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var intent = await new PaymentIntentService(client).CreateAsync(CreateOptions(request),
                new RequestOptions { IdempotencyKey = request.IdempotencyKey }, cancellationToken);
            return Map(intent);
        }
        catch (StripeException exception)
        {
            return Failure(exception, exception.StripeError?.PaymentIntent?.Id);
        }
    }

    public async Task<ProviderCharge> ConfirmAsync(string providerPaymentId, CancellationToken cancellationToken)
    {
        try
        {
            // After Stripe.js handled the authentication the intent has moved on; read where it is.
            return Map(await new PaymentIntentService(client).GetAsync(providerPaymentId, cancellationToken: cancellationToken));
        }
        catch (StripeException exception)
        {
            return Failure(exception, providerPaymentId);
        }
    }

    /// <summary>Finds the intent by the payment id we put in its metadata (Stripe's search lags writes by up to a minute).</summary>
    public async Task<ProviderCharge?> LookupAsync(string paymentId, CancellationToken cancellationToken)
    {
        var found = await new PaymentIntentService(client).SearchAsync(
            new PaymentIntentSearchOptions { Query = $"metadata['payment_id']:'{paymentId}'", Limit = 1 }, cancellationToken: cancellationToken);
        return found.Data.FirstOrDefault() is { } intent ? Map(intent) : null;
    }

    public async Task<ProviderRefund> RefundAsync(string providerPaymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            var refund = await new Stripe.RefundService(client).CreateAsync(new RefundCreateOptions { PaymentIntent = providerPaymentId, Amount = amountMinor },
                new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);
            return refund.Status is "succeeded" or "pending" ? new ProviderRefund(true, refund.Id) : new ProviderRefund(false, refund.Id, refund.FailureReason ?? refund.Status);
        }
        catch (StripeException exception)
        {
            logger.LogWarning("Stripe refund of {PaymentIntent} failed: {Code}", providerPaymentId, exception.StripeError?.Code);
            return new ProviderRefund(false, null, exception.StripeError?.Code ?? "stripe_error");
        }
    }

    /// <summary>The PaymentIntent we ask for: confirmed at once with the saved method, metadata linking it back to our rows.</summary>
    public static PaymentIntentCreateOptions CreateOptions(ChargeRequest request) => new()
    {
        Amount = request.AmountMinor,
        Currency = request.Currency.ToLowerInvariant(),
        PaymentMethod = request.Token,
        Confirm = true,
        OffSession = request.OffSession ? true : null,
        // No redirects: a payment either completes, fails, or waits for 3-D Secure.
        AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
        Description = $"Invoice {request.InvoiceId}",
        Metadata = new Dictionary<string, string>
        {
            ["payment_id"] = request.PaymentId,
            ["invoice_id"] = request.InvoiceId,
            ["organization_id"] = request.OrganizationId,
        },
    };

    /// <summary>Stripe's intent states, folded into ours.</summary>
    public static ProviderCharge Map(PaymentIntent intent) => intent.Status switch
    {
        "succeeded" => new ProviderCharge(intent.Id, ChargeStatus.Succeeded),
        "requires_action" or "requires_confirmation" or "processing" => new ProviderCharge(intent.Id, ChargeStatus.RequiresAction),
        _ => new ProviderCharge(intent.Id, ChargeStatus.Failed,
            intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? "payment_failed",
            intent.LastPaymentError?.Message ?? "The payment did not go through."),
    };

    private ProviderCharge Failure(StripeException exception, string? intentId)
    {
        var error = exception.StripeError;
        if (error?.Type != "card_error") logger.LogWarning("Stripe call failed: {Type} {Code}", error?.Type, error?.Code);
        return new ProviderCharge(intentId, ChargeStatus.Failed, error?.DeclineCode ?? error?.Code ?? "stripe_unavailable", error?.Message ?? "Stripe could not be reached.");
    }
}
