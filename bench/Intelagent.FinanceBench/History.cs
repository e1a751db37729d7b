using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.FinanceBench;

/// <summary>A deterministic company history: the same seed gives the same customers, events and rates.</summary>
public static class History
{
    public static readonly Month First = Month.Of(2023, 1);
    public static readonly Month Last = Month.Of(2025, 12);
    private static readonly decimal[] Discounts = [0m, 0m, 0m, 10m, 12.5m, 20m];

    public static MetricsInput Generate(int customers, int events, int seed)
    {
        var random = new Random(seed);
        var span = Last.End - First.Start;
        var ledger = new List<LedgerEntry>(events);
        var list = new List<CustomerInfo>(customers);
        for (var c = 0; c < customers; c++)
        {
            var id = $"c{c}";
            list.Add(new CustomerInfo(id, random.Next(4) == 0 ? "enterprise" : "smb"));
            var count = events / customers + (c < events % customers ? 1 : 0);
            var subscriptions = 1 + random.Next(2);
            // Whole seconds: PostgreSQL keeps microseconds, .NET ticks; both must see the same instants.
            var times = Enumerable.Range(0, count).Select(_ => First.Start.AddSeconds(Math.Floor(span.TotalSeconds * random.NextDouble() * 0.999))).Order().ToList();
            var open = new bool[subscriptions];
            var state = new LedgerEntry?[subscriptions];
            foreach (var at in times)
            {
                var s = random.Next(subscriptions);
                var previous = state[s];
                var type = !open[s] ? SubscriptionEventType.Start : random.Next(6) == 0 ? SubscriptionEventType.Cancel : SubscriptionEventType.Change;
                var currency = previous?.Currency ?? (random.Next(5) == 0 ? "EUR" : "USD");
                var entry = type == SubscriptionEventType.Cancel && previous is not null
                    ? previous with { Type = type, At = at, Sequence = ledger.Count }
                    : new LedgerEntry(id, $"{id}s{s}", type, at, random.Next(3) == 0 ? "platform" : "chatbot", random.Next(2) == 0 ? "basic" : "pro",
                        random.Next(5) == 0 ? BillingInterval.Year : BillingInterval.Month, random.Next(10, 500) + random.Next(0, 100) / 100m, currency,
                        1 + random.Next(5), Discounts[random.Next(Discounts.Length)], type == SubscriptionEventType.Start && random.Next(10) == 0 ? at.AddDays(14) : null,
                        ledger.Count);
                open[s] = type != SubscriptionEventType.Cancel;
                state[s] = entry;
                ledger.Add(entry);
            }
        }
        var rates = new List<FxRate>();
        for (var m = First; m <= Last; m = m.Next) rates.Add(new FxRate(m, "EUR", 1.05m + random.Next(0, 1500) / 10000m));
        return new MetricsInput(list, ledger, [], [], [], rates);
    }
}
