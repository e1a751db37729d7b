using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Predictions;

namespace Intelagent.Server.Insights.Demo;

/// <summary>What to generate. <see cref="PlantedDrift"/> false: cancels happen at the same rate but at random, unrelated to any feature.</summary>
public sealed record CustomerHistoryOptions(int Customers, int Months, Month LastMonth, int Seed, bool PlantedDrift = true)
{
    public Month FirstMonth => new(LastMonth.Index - Months + 1);
}

/// <summary>A generated customer: its timeline, tier and price per seat (monthly, USD).</summary>
public sealed record GeneratedCustomer(CustomerTimeline Timeline, string Tier, decimal PricePerSeat);

/// <summary>
/// Deterministic (by seed) synthetic customer histories with a planted churn drift: a healthy
/// customer starts drifting with a small monthly probability; while drifting its API usage falls,
/// its seats empty, its sign-ins thin out, chatbot tickets rise and payments start failing, and after
/// two to four months it cancels (one in five recovers instead). A few customers also cancel out of the
/// blue, which no feature can see. Customers arrive over the whole period, so revenue grows.
/// </summary>
public static class CustomerHistoryGenerator
{
    private static readonly (string Tier, decimal Price, int MinSeats, int MaxSeats, string Segment)[] Tiers =
    [
        ("basic", 15m, 2, 6, "smb"), ("pro", 40m, 4, 15, "mid-market"), ("enterprise", 90m, 10, 30, "enterprise"),
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
            var tier = Tiers[random.NextDouble() switch { < 0.5 => 0, < 0.85 => 1, _ => 2 }];
            var months = Simulate(random, options, tier.MinSeats + random.Next(tier.MaxSeats - tier.MinSeats + 1), tier.Price, options.Months - start);
            var id = $"org_demo{options.Seed % 1000:D3}{c:D5}";
            customers.Add(new GeneratedCustomer(
                new CustomerTimeline(id, CompanyName(c), tier.Segment, "USD", new Month(options.FirstMonth.Index + start), months), tier.Tier, tier.Price));
        }
        return customers;
    }

    private static List<MonthActivity> Simulate(Random random, CustomerHistoryOptions options, int seats, decimal price, int monthCount)
    {
        var months = new List<MonthActivity>(monthCount);
        var callsPerSeat = 2500 * LogNormal(random, 0.4);
        var drift = -1; // months into a drift, -1 when healthy
        var driftLength = 0;
        var recovers = false;
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
            if (options.PlantedDrift && drift < 0 && m >= 2 && random.NextDouble() < DriftStartsPerMonth)
                (drift, driftLength, recovers) = (0, 2 + random.Next(3), random.NextDouble() < 0.2);
            var severity = drift < 0 ? 0.0 : (drift + 1.0) / (driftLength + 1.0);
            if (random.NextDouble() < 0.04 && drift < 0) seats += 1 + random.Next(3); // expansion
            if (severity > 0.5 && seats > 2 && random.NextDouble() < 0.3) seats -= 1; // contraction on the way out

            var activeShare = Math.Clamp(0.85 - 0.6 * severity + Normal(random) * 0.06, 0.0, 1.0);
            var activeUsers = Binomial(random, seats, activeShare);
            var signIns = Poisson(random, activeUsers * (6.0 - 3.0 * severity));
            var calls = (long)Math.Max(0, seats * callsPerSeat * (1 - 0.75 * severity) * LogNormal(random, 0.15) * (1 + 0.01 * m));
            var tickets = Poisson(random, seats * 2.0 * (1 + 1.5 * severity));
            var failed = random.NextDouble() < 0.04 + 0.5 * severity ? 1 + (random.NextDouble() < severity ? 1 : 0) : 0;
            months.Add(new MonthActivity(calls, seats, activeUsers, signIns, failed, 1, tickets, seats * price));

            if (drift >= 0 && ++drift > driftLength)
            {
                if (recovers) drift = -1;
                else canceled = true;
            }
            if (!options.PlantedDrift && random.NextDouble() < randomCancelRate) canceled = true;
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
