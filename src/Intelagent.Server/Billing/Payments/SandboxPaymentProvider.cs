using System.Collections.Concurrent;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Billing.Payments;

/// <summary>
/// The built-in card processor: Stripe's test cards and test tokens behave as they do in Stripe's
/// test mode (4242... succeeds, ...0002 is declined, ...9995 has insufficient funds, ...3155 needs
/// authentication). A card number becomes a token at once (<c>pm_sandbox_{behaviour}_{random}</c>),
/// so the behaviour travels with the token and the number is never kept. Charges are remembered in
/// memory by idempotency key, like Stripe's own idempotency, so the same key never charges twice.
/// </summary>
public sealed class SandboxPaymentProvider(TimeProvider clock) : IPaymentProvider
{
    public const string ProviderName = "sandbox";
    private const string TokenPrefix = "pm_sandbox_";

    private enum Behaviour
    {
        Succeeds,
        Declined,
        InsufficientFunds,
        AuthenticationRequired,
    }

    private static readonly Dictionary<string, Behaviour> TestCards = new(StringComparer.Ordinal)
    {
        ["4242424242424242"] = Behaviour.Succeeds,
        ["4000000000000002"] = Behaviour.Declined,
        ["4000000000009995"] = Behaviour.InsufficientFunds,
        ["4000002500003155"] = Behaviour.AuthenticationRequired,
    };

    private static readonly Dictionary<string, Behaviour> TestTokens = new(StringComparer.Ordinal)
    {
        ["pm_card_visa"] = Behaviour.Succeeds,
        ["pm_card_chargeDeclined"] = Behaviour.Declined,
        ["pm_card_chargeDeclinedInsufficientFunds"] = Behaviour.InsufficientFunds,
        ["pm_card_authenticationRequired"] = Behaviour.AuthenticationRequired,
    };

    private sealed class Intent(long amountMinor, ChargeStatus status)
    {
        public long AmountMinor { get; } = amountMinor;
        public ChargeStatus Status { get; set; } = status;
        public long RefundedMinor { get; set; }
    }

    private readonly ConcurrentDictionary<string, Lazy<ProviderCharge>> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Intent> _intents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProviderRefund> _refunds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ChargeRequest> _charges = new();

    public string Name => ProviderName;

    /// <summary>Every charge that reached the processor (replays by key excluded): what a dashboard would list.</summary>
    public IReadOnlyCollection<ChargeRequest> Charges => _charges;

    public Task<Result<SavedCard>> SaveMethodAsync(CardInput input, CancellationToken cancellationToken)
    {
        if (input.Token is { Length: > 0 } token)
        {
            if (BehaviourOf(token) is null) return Task.FromResult<Result<SavedCard>>(Error.Unprocessable("unknown_payment_token", "The sandbox does not know this token."));
            return Task.FromResult<Result<SavedCard>>(new SavedCard(token, "visa", LastFourOfToken(token), input.ExpMonth, input.ExpYear));
        }
        var number = new string((input.CardNumber ?? "").Where(c => c != ' ' && c != '-').ToArray());
        if (number.Length is < 12 or > 19 || !number.All(char.IsAsciiDigit) || !PassesLuhn(number))
            return Task.FromResult<Result<SavedCard>>(Error.Validation("cardNumber", "is not a valid card number."));
        if (input.ExpMonth is not { } month || input.ExpYear is not { } year || month is < 1 or > 12)
            return Task.FromResult<Result<SavedCard>>(Error.Validation("expMonth", "and expYear are required with a card number."));
        var now = clock.GetUtcNow();
        if (year < now.Year || (year == now.Year && month < now.Month))
            return Task.FromResult<Result<SavedCard>>(Error.Unprocessable("card_expired", "The card has expired."));
        var behaviour = TestCards.GetValueOrDefault(number, Behaviour.Succeeds);
        var saved = new SavedCard($"{TokenPrefix}{behaviour.ToString().ToLowerInvariant()}_{Guid.NewGuid():N}", BrandOf(number), number[^4..], month, year);
        return Task.FromResult<Result<SavedCard>>(saved);
    }

    public Task<ProviderCharge> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        // Lazy makes two concurrent calls with one key run the charge once, as Stripe's idempotency does.
        var charge = _byKey.GetOrAdd(request.IdempotencyKey, _ => new Lazy<ProviderCharge>(() => Charge(request))).Value;
        return Task.FromResult(charge);
    }

    /// <summary>Every charge is made with our payment id as its key, so the key finds it.</summary>
    public Task<ProviderCharge?> LookupAsync(string paymentId, CancellationToken cancellationToken) =>
        Task.FromResult(_byKey.TryGetValue(paymentId, out var charge) ? charge.Value : null);

    public Task<ProviderCharge> ConfirmAsync(string providerPaymentId, CancellationToken cancellationToken)
    {
        if (!_intents.TryGetValue(providerPaymentId, out var intent))
            return Task.FromResult(new ProviderCharge(providerPaymentId, ChargeStatus.Failed, "payment_intent_not_found", "The processor does not know this payment."));
        lock (intent)
        {
            // The sandbox's authentication page always passes: confirming after it charges the card.
            if (intent.Status == ChargeStatus.RequiresAction) intent.Status = ChargeStatus.Succeeded;
            return Task.FromResult(new ProviderCharge(providerPaymentId, intent.Status));
        }
    }

    public Task<ProviderRefund> RefundAsync(string providerPaymentId, long amountMinor, string idempotencyKey, CancellationToken cancellationToken)
    {
        var refund = _refunds.GetOrAdd(idempotencyKey, _ =>
        {
            if (!_intents.TryGetValue(providerPaymentId, out var intent)) return new ProviderRefund(false, null, "charge_not_found");
            lock (intent)
            {
                if (intent.Status != ChargeStatus.Succeeded) return new ProviderRefund(false, null, "charge_not_succeeded");
                if (amountMinor <= 0 || intent.RefundedMinor + amountMinor > intent.AmountMinor) return new ProviderRefund(false, null, "amount_too_large");
                intent.RefundedMinor += amountMinor;
                return new ProviderRefund(true, "re_sandbox_" + Guid.NewGuid().ToString("N"));
            }
        });
        return Task.FromResult(refund);
    }

    private ProviderCharge Charge(ChargeRequest request)
    {
        _charges.Enqueue(request);
        var id = "pi_sandbox_" + Guid.NewGuid().ToString("N");
        var (status, code, message) = BehaviourOf(request.Token) switch
        {
            Behaviour.Succeeds => (ChargeStatus.Succeeded, null, null),
            Behaviour.Declined => (ChargeStatus.Failed, "card_declined", "Your card was declined."),
            Behaviour.InsufficientFunds => (ChargeStatus.Failed, "insufficient_funds", "Your card has insufficient funds."),
            Behaviour.AuthenticationRequired when request.OffSession =>
                (ChargeStatus.Failed, "authentication_required", "The card needs the customer to authenticate; they are not present."),
            Behaviour.AuthenticationRequired => (ChargeStatus.RequiresAction, null, null),
            _ => (ChargeStatus.Failed, "invalid_payment_method", "The processor does not know this payment method."),
        };
        _intents[id] = new Intent(request.AmountMinor, status);
        return new ProviderCharge(id, status, code, message);
    }

    private static Behaviour? BehaviourOf(string token)
    {
        if (TestTokens.TryGetValue(token, out var known)) return known;
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal)) return null;
        var name = token[TokenPrefix.Length..].Split('_')[0];
        return Enum.TryParse<Behaviour>(name, ignoreCase: true, out var behaviour) ? behaviour : null;
    }

    private static string? LastFourOfToken(string token) => TestTokens.ContainsKey(token)
        ? BehaviourOf(token) switch
        {
            Behaviour.Declined => "0002",
            Behaviour.InsufficientFunds => "9995",
            Behaviour.AuthenticationRequired => "3155",
            _ => "4242",
        }
        : null;

    private static string BrandOf(string number) => number[0] switch
    {
        '4' => "visa",
        '5' or '2' => "mastercard",
        '3' => "amex",
        '6' => "discover",
        _ => "card",
    };

    private static bool PassesLuhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            sum += digit;
        }
        return sum % 10 == 0;
    }
}
