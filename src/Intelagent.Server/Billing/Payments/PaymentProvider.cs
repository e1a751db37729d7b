using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// What billing needs from a card processor, and nothing more: turn card details into a reusable
/// token, charge a token an amount in minor units (idempotently, by key), finish an authentication
/// step, and refund. The sandbox is the embedded default; Stripe is used when STRIPE_SECRET_KEY is set.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Stored on payments and methods: "sandbox" or "stripe".</summary>
    string Name { get; }

    /// <summary>Tokenizes a card number or accepts a provider token; the number is never kept.</summary>
    Task<Result<SavedCard>> SaveMethodAsync(CardInput input, CancellationToken cancellationToken);

    /// <summary>Charges; the same <see cref="ChargeRequest.IdempotencyKey"/> twice charges once and answers the same.</summary>
    Task<ProviderCharge> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>Asks again after the customer completed the authentication step.</summary>
    Task<ProviderCharge> ConfirmAsync(string providerPaymentId, CancellationToken cancellationToken);

    Task<ProviderRefund> RefundAsync(string providerPaymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>What became of the charge made for our payment <paramref name="paymentId"/>, or null when the processor never saw it.</summary>
    Task<ProviderCharge?> LookupAsync(string paymentId, CancellationToken cancellationToken);
}

public sealed record CardInput(string? CardNumber, string? Token, int? ExpMonth, int? ExpYear);

public sealed record SavedCard(string Token, string Brand, string? Last4, int? ExpMonth, int? ExpYear);

/// <param name="OffSession">True for dunning retries: the customer is not there to authenticate.</param>
public sealed record ChargeRequest(long AmountMinor, string Currency, string Token, string IdempotencyKey,
    string PaymentId, string InvoiceId, string OrganizationId, bool OffSession);

public enum ChargeStatus
{
    Succeeded,
    Failed,
    RequiresAction,
}

public sealed record ProviderCharge(string? ProviderPaymentId, ChargeStatus Status, string? FailureCode = null, string? FailureMessage = null);

public sealed record ProviderRefund(bool Succeeded, string? ProviderRefundId, string? FailureCode = null);
