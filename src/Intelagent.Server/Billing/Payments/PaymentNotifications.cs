using System.Globalization;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Billing.Payments;

/// <summary>What the hub's payment:succeeded and payment:failed events carry.</summary>
public sealed record PaymentEventPayload(string PaymentId, string InvoiceId, decimal Amount, string Currency, int Attempt,
    string? FailureCode, string? FailureMessage, DateTimeOffset? NextRetryAt, bool SubscriptionCanceled);

/// <summary>
/// Each payment outcome (and so each dunning step) reaches the organization twice: a stored
/// notification for its admins and owners, and a payment:* event on the hub for everyone who may
/// read billing. Both are published once per domain event, even if the outbox delivers it again.
/// </summary>
internal sealed class PaymentNotifications(Notifier notifier, RealtimePublisher publisher) :
    IDomainEventHandler<PaymentFailed>, IDomainEventHandler<PaymentSucceeded>
{
    public async Task HandleAsync(PaymentFailed e, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var amount = Money(e.Amount, e.Currency);
        var (title, body) = (e.SubscriptionCanceled, e.NextRetryAt) switch
        {
            (true, _) => ("Subscription canceled for non-payment", $"The last retry of {amount} failed ({e.FailureCode}); the subscription was canceled."),
            (false, { } next) => ("Payment failed", $"The payment of {amount} failed ({e.FailureCode}). We will retry on {next:yyyy-MM-dd}; update your payment method before then."),
            _ => ("Payment failed", $"The payment of {amount} failed ({e.FailureCode})."),
        };
        await PublishAsync(e.OrganizationId, "payment.failed", title, body, RealtimeEventTypes.PaymentFailed,
            new PaymentEventPayload(e.PaymentId, e.InvoiceId, e.Amount, e.Currency, e.Attempt, e.FailureCode, e.FailureMessage, e.NextRetryAt, e.SubscriptionCanceled),
            envelope, cancellationToken);
    }

    public Task HandleAsync(PaymentSucceeded e, EventEnvelope envelope, CancellationToken cancellationToken) =>
        PublishAsync(e.OrganizationId, "payment.succeeded", "Payment received", $"We received {Money(e.Amount, e.Currency)} for invoice {e.InvoiceId}.",
            RealtimeEventTypes.PaymentSucceeded, new PaymentEventPayload(e.PaymentId, e.InvoiceId, e.Amount, e.Currency, e.Attempt, null, null, null, false),
            envelope, cancellationToken);

    private async Task PublishAsync(string organizationId, string type, string title, string body, string realtimeType, PaymentEventPayload payload,
        EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await notifier.NotifyRolesAsync(organizationId, Role.Admin, type, title, body, null, cancellationToken);
        publisher.Stage(RealtimeDraft.ForOrganization(organizationId, realtimeType, Permissions.BillingRead, payload) with { SourceEventId = envelope.Id });
        // Saves the notifications and the stored realtime event together, then sends it.
        await publisher.CommitAsync(cancellationToken);
    }

    private static string Money(decimal amount, string currency) => $"{amount.ToString("0.00##", CultureInfo.InvariantCulture)} {currency}";
}
