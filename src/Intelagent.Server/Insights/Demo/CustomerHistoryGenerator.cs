using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Predictions;

namespace Intelagent.Server.Insights.Demo;

/// <summary>What to generate. <see cref="PlantedDrift"/> false: cancels happen at the same rate but at random, unrelated to any feature.</summary>
public sealed record CustomerHistoryOptions(int Customers, int Months, Month LastMonth, int Seed, bool PlantedDrift = true)
{
    public Month FirstMonth => new(LastMonth.Index - Months + 1);
}

/// <summary>
/// A generated customer: its timeline, tier and price per seat (monthly, USD, the catalogue's).
/// <see cref="Heavy"/> marks the one planted customer whose API usage (and so its compute cost) is far
/// beyond what its plan pays for, and jumps in the last month: the cost-driver and
/// "costs more than it pays" findings.
/// </summary>
public sealed record GeneratedCustomer(CustomerTimeline Timeline, string Tier, decimal PricePerSeat, bool Heavy = false);

/// <summary>
/// Deterministic (by seed) synthetic customer histories with a planted churn drift: a healthy
/// customer starts drifting with a small monthly probability; while drifting its API usage falls,
/// its seats empty, its sign-ins thin out, chatbot tickets rise and payments start failing, and after
/// three to five months it cancels (one in ten recovers instead). A few customers also cancel out of the
/// blue, which no feature can see. Customers arrive over the whole period, so revenue grows. Each
/// drifting customer shows its own mix of the signals (each with probability one half, at least one),
/// as real customers leave for different reasons: no single feature sees every drift.
/// </summary>
public static class CustomerHistoryGenerator
{
    private static readonly (string Tier, decimal Price, int MinSeats, int MaxSeats, string Segment)[] Tiers =
    [
        ("basic", 49m, 1, 5, "smb"), ("pro", 199m, 2, 8, "mid-market"), ("enterprise", 999m, 3, 10, "enterprise"),
    ];

    private const double DriftStartsPerMonth = 0.05;
    private const double SuddenCancelPerMonth = 0.005;

    public static List<GeneratedCustomer> Generate(CustomerHistoryOptions options)
    {
        var random = new Random(options.Seed);
        var customers = new List<GeneratedCustomer>(options.Customers);
        for (var c = 0; c < options.Customers; c++)
        {
            // A third are there from the start; the rest arrive evenly, the last ones three months before the end.
            var start = c < options.Customers / 3 ? 0 : random.Next(0, Math.Max(1, options.Months - 3));
            var heavy = c == 1;
            if (heavy) start = 0;
            var tier = heavy ? Tiers[0] : Tiers[random.NextDouble() switch { < 0.5 => 0, < 0.85 => 1, _ => 2 }];
            var months = Simulate(random, options, tier.MinSeats + random.Next(tier.MaxSeats - tier.MinSeats + 1), tier.Price, options.Months - start, heavy);
            var id = $"org_demo{options.Seed % 1000:D3}{c:D5}";
            customers.Add(new GeneratedCustomer(
                new CustomerTimeline(id, CompanyName(c), tier.Segment, "USD", new Month(options.FirstMonth.Index + start), months), tier.Tier, tier.Price, heavy));
        }
        return customers;
    }

    private static List<MonthActivity> Simulate(Random random, CustomerHistoryOptions options, int seats, decimal price, int monthCount, bool heavy)
    {
        var months = new List<MonthActivity>(monthCount);
        var callsPerSeat = 2500 * LogNormal(random, 0.4) * (heavy ? 60 : 1);
        var drift = -1; // months into a drift, -1 when healthy
        var driftLength = 0;
        var recovers = false;
        var signals = new bool[4]; // usage, seats and sign-ins, payments, tickets
        var canceled = false;
        // Without the planted drift the same share of customers cancels, at random.
        var randomCancelRate = DriftStartsPerMonth * 0.8 + SuddenCancelPerMonth;
        for (var m = 0; m < monthCount; m++)
        {
            if (canceled)
            {
                months.Add(new MonthActivity(0, 0, 0, 0, 0, 0, 0, 0m));
                continue;
            }
            if (options.PlantedDrift && !heavy && drift < 0 && m >= 2 && random.NextDouble() < DriftStartsPerMonth)
            {
                (drift, driftLength, recovers) = (0, 3 + random.Next(3), random.NextDouble() < 0.1);
                for (var i = 0; i < signals.Length; i++) signals[i] = random.NextDouble() < 0.5;
                if (!signals.Any(on => on)) signals[random.Next(signals.Length)] = true;
            }
            var severity = drift < 0 ? 0.0 : (drift + 2.0) / (driftLength + 2.0);
            var (usageFall, seatsEmpty, paymentsFail, ticketsRise) =
                (signals[0] ? severity : 0, signals[1] ? severity : 0, signals[2] ? severity : 0, signals[3] ? severity : 0);
            if (random.NextDouble() < 0.04 && drift < 0) seats += 1 + random.Next(3); // expansion
            if (seatsEmpty > 0.5 && seats > 2 && random.NextDouble() < 0.3) seats -= 1; // contraction on the way out

            var activeShare = Math.Clamp(0.85 - 0.7 * seatsEmpty + Normal(random) * 0.06, 0.0, 1.0);
            var activeUsers = Binomial(random, seats, activeShare);
            var signIns = Poisson(random, activeUsers * (6.0 - 3.0 * seatsEmpty));
            activeUsers = Math.Min(activeUsers, signIns); // an active user is one who signed in
            var surge = heavy && m == monthCount - 1 ? 1.8 : 1.0;
            var calls = (long)Math.Max(0, seats * callsPerSeat * surge * (1 - 0.8 * usageFall) * LogNormal(random, 0.15) * (1 + 0.01 * m));
            var tickets = Poisson(random, seats * 2.0 * (1 + 2.0 * ticketsRise));
            var failed = random.NextDouble() < 0.04 + 0.7 * paymentsFail ? 1 + (random.NextDouble() < paymentsFail ? 1 : 0) : 0;
            months.Add(new MonthActivity(calls, seats, activeUsers, signIns, failed, 1, tickets, seats * price));

            if (drift >= 0 && ++drift > driftLength)
            {
                if (recovers) drift = -1;
                else canceled = true;
            }
            if (!options.PlantedDrift && !heavy && random.NextDouble() < randomCancelRate) canceled = true;
            if (options.PlantedDrift && drift < 0 && random.NextDouble() < SuddenCancelPerMonth) canceled = true;
        }
        return months;
    }

    private static readonly string[] Prefixes = ["Blue", "North", "Quantum", "Bright", "Silver", "Summit", "Harbor", "Cedar", "Nova", "Atlas", "Pioneer", "Vertex"];
    private static readonly string[] Suffixes = ["Labs", "Retail", "Logistics", "Health", "Analytics", "Studios", "Foods", "Energy", "Travel", "Finance"];

    private static string CompanyName(int index) => $"{Prefixes[index % Prefixes.Length]} {Suffixes[index / Prefixes.Length % Suffixes.Length]}" +
        (index >= Prefixes.Length * Suffixes.Length ? $" {index / (Prefixes.Length * Suffixes.Length) + 1}" : "");

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    private static double LogNormal(Random random, double sigma) => Math.Exp(sigma * Normal(random) - sigma * sigma / 2);

    private static int Binomial(Random random, int trials, double p)
    {
        var successes = 0;
        for (var i = 0; i < trials; i++) if (random.NextDouble() < p) successes++;
        return successes;
    }

    /// <summary>Knuth's method for small means, a rounded normal approximation for large ones.</summary>
    private static int Poisson(Random random, double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 30) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Normal(random)));
        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var count = 0;
        while (product > limit) { product *= random.NextDouble(); count++; }
        return count;
    }
}
