using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Tests.Billing;

/// <summary>
/// A small company computed by hand (reporting currency USD), January to April 2026.
/// <code>
/// A (smb)        chatbot monthly 100 x 2 seats, 10% off, from Jan 10          MRR 180
///                Feb 15 upgrade to pro: 150 x 2, 10% off                      MRR 270
///                Mar 20 downgrade to basic: 150 x 1, no discount              MRR 150
///                Apr 5 cancel                                                 MRR 0
/// B (enterprise) platform pro yearly 1200, from Jan 5, trial to Feb 4         Jan 0, from Feb 1200/12 = 100
/// C (smb)        chatbot pro monthly 50 EUR from Jan 20; EUR = 1.10 (Jan, Feb), 1.20 (Mar, Apr carries Mar)
///                                                                             Jan 55, Feb 55, Mar 60, Apr 60
/// D (smb)        email_campaigns basic monthly 40 from Jan 1, cancel Feb 10   Jan 40, Feb 0
///                new subscription 45 from Mar 3                               Mar 45, Apr 45 (reactivation)
/// E (smb)        chatbot basic 30 from Mar 1, trial to Apr 15, cancel Apr 10  always 0
/// </code>
/// </summary>
public static class FinancialMetricsFixture
{
    public static readonly Month January = Month.Of(2026, 1);
    public static readonly Month February = Month.Of(2026, 2);
    public static readonly Month March = Month.Of(2026, 3);
    public static readonly Month April = Month.Of(2026, 4);

    private static DateTimeOffset On(int month, int day) => new(2026, month, day, 12, 0, 0, TimeSpan.Zero);

    private static LedgerEntry Entry(string customer, string subscription, SubscriptionEventType type, DateTimeOffset at, string product, string tier,
        BillingInterval interval, decimal amount, int quantity, decimal discount = 0m, string currency = "USD", DateTimeOffset? trialEndsAt = null) =>
        new(customer, subscription, type, at, product, tier, interval, amount, currency, quantity, discount, trialEndsAt);

    public static MetricsInput Input() => new(
        [new("A", "smb"), new("B", "enterprise"), new("C", "smb"), new("D", "smb"), new("E", "smb")],
        [
            Entry("A", "a1", SubscriptionEventType.Start, On(1, 10), "chatbot", "basic", BillingInterval.Month, 100m, 2, 10m),
            Entry("A", "a1", SubscriptionEventType.Change, On(2, 15), "chatbot", "pro", BillingInterval.Month, 150m, 2, 10m),
            Entry("A", "a1", SubscriptionEventType.Change, On(3, 20), "chatbot", "basic", BillingInterval.Month, 150m, 1),
            Entry("A", "a1", SubscriptionEventType.Cancel, On(4, 5), "chatbot", "basic", BillingInterval.Month, 150m, 1),
            Entry("B", "b1", SubscriptionEventType.Start, On(1, 5), "platform", "pro", BillingInterval.Year, 1200m, 1, trialEndsAt: On(2, 4)),
            Entry("C", "c1", SubscriptionEventType.Start, On(1, 20), "chatbot", "pro", BillingInterval.Month, 50m, 1, currency: "EUR"),
            Entry("D", "d1", SubscriptionEventType.Start, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "email_campaigns", "basic", BillingInterval.Month, 40m, 1),
            Entry("D", "d1", SubscriptionEventType.Cancel, On(2, 10), "email_campaigns", "basic", BillingInterval.Month, 40m, 1),
            Entry("D", "d2", SubscriptionEventType.Start, On(3, 3), "email_campaigns", "basic", BillingInterval.Month, 45m, 1),
            Entry("E", "e1", SubscriptionEventType.Start, On(3, 1), "chatbot", "basic", BillingInterval.Month, 30m, 1, trialEndsAt: On(4, 15)),
            Entry("E", "e1", SubscriptionEventType.Cancel, On(4, 10), "chatbot", "basic", BillingInterval.Month, 30m, 1, trialEndsAt: On(4, 15)),
        ],
        [
            // Every month's cost is 20% of its MRR, so the gross margin is 0.8 throughout.
            new(January, "compute", "chatbot", null, 55m, "USD"),
            new(February, "compute", "chatbot", null, 85m, "USD"),
            new(March, "compute", "chatbot", null, 59m, "USD"),
            new(March, "storage", "platform", "B", 10m, "EUR"), // 10 x 1.20 = 12; March total 71
            new(April, "bandwidth", "email_campaigns", null, 41m, "USD"),
        ],
        [new(January, 10_000m, "USD"), new(February, 9_000m, "USD"), new(March, 8_200m, "USD"), new(April, 7_600m, "USD")],
        [new(January, 600m, "USD"), new(February, 250m, "USD"), new(March, 100m, "USD")],
        [new(January, "EUR", 1.10m), new(February, "EUR", 1.10m), new(March, "EUR", 1.20m)],
        [new(March, "A", 3m), new(March, "C", 1m)]);

    public static MetricsEngine Engine() => new(Input(), April);
}
