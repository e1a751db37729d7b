using Intelagent.Server.Billing.Kernel;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>
/// The arithmetic of periods and proration (docs/decisions/012). Amounts keep full precision until a
/// line is stored, where they are rounded to the currency's minor unit, half away from zero.
/// </summary>
public static class Proration
{
    /// <summary>What one period costs: unit x quantity, less the percent, less the fixed amount, never below zero.</summary>
    public static decimal PeriodAmount(decimal unitAmount, int quantity, decimal discountPercent, decimal discountAmount) =>
        Math.Max(0m, unitAmount * quantity * (1m - discountPercent / 100m) - discountAmount);

    /// <summary>The period amount of a subscription's current terms, with the discount if it still runs at <paramref name="at"/>.</summary>
    public static decimal PeriodAmount(Subscription subscription, DateTimeOffset at)
    {
        var discounted = subscription.DiscountEndsAt is not { } end || end > at;
        return PeriodAmount(subscription.UnitAmount, subscription.Quantity,
            discounted ? subscription.DiscountPercent : 0m, discounted ? subscription.DiscountAmount : 0m);
    }

    /// <summary>Whole seconds left of the period at <paramref name="at"/> over whole seconds in the period (0 to 1).</summary>
    public static decimal RemainingFraction(DateTimeOffset periodStart, DateTimeOffset periodEnd, DateTimeOffset at)
    {
        var total = (long)Math.Floor((periodEnd - periodStart).TotalSeconds);
        if (total <= 0) return 0m;
        var remaining = Math.Clamp((long)Math.Floor((periodEnd - at).TotalSeconds), 0L, total);
        return (decimal)remaining / total;
    }

    public static DateTimeOffset AddInterval(DateTimeOffset start, BillingInterval interval) =>
        interval == BillingInterval.Year ? start.AddYears(1) : start.AddMonths(1);

    /// <summary>The credit for the unused part of the old terms (negative) and the charge for the rest of the new ones, rounded.</summary>
    public static (decimal Credit, decimal Charge) Amounts(decimal oldPeriodAmount, decimal oldFraction, decimal newPeriodAmount, decimal newFraction,
        string currency) =>
        (-Currencies.Round(oldPeriodAmount * oldFraction, currency), Currencies.Round(newPeriodAmount * newFraction, currency));
}
