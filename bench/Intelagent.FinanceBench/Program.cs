using System.Diagnostics;
using System.Globalization;
using Intelagent.FinanceBench;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Npgsql;

// The financial-metrics benchmark: every month's MRR and movements with the engine and with one SQL
// query in PostgreSQL over the same generated history, checked equal, then one month's figures after
// appending one event. Usage: --customers N --events N --seed N --connection "Host=...;..."
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var customers = Option("customers", 100_000);
var events = Option("events", customers * 10);
var seed = Option("seed", 42);
var appends = Option("appends", 200);
var connectionString = options.GetValueOrDefault("connection") ?? throw new ArgumentException("--connection is required");

Console.WriteLine($"generating {customers:N0} customers and {events:N0} subscription events over {History.First}..{History.Last} (seed {seed})");
var input = History.Generate(customers, events, seed);

// Engine: build (sort, replay every customer, sum) and read every month's MRR and movements.
MetricsEngine engine = null!;
var engineTimes = new List<double>();
for (var run = 0; run < 3; run++)
{
    var watch = Stopwatch.StartNew();
    engine = new MetricsEngine(input, History.Last);
    _ = engine.Figures(engine.First, engine.Last).Sum(f => f.Mrr);
    engineTimes.Add(watch.Elapsed.TotalMilliseconds);
}

await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
var load = Stopwatch.StartNew();
await Postgres.LoadAsync(connection, input);
Console.WriteLine($"loaded PostgreSQL in {load.Elapsed.TotalSeconds:F1} s (not timed below)");
List<SqlMonth> sql = null!;
var sqlTimes = new List<double>();
for (var run = 0; run < 2; run++)
{
    var watch = Stopwatch.StartNew();
    sql = await Postgres.RunAsync(connection);
    sqlTimes.Add(watch.Elapsed.TotalMilliseconds);
}

var mismatches = 0;
foreach (var row in sql)
{
    var month = new Month(row.MonthIndex);
    var exact = engine.ExactMovementsOf(month);
    var paying = engine.Figures(month).PayingCustomers;
    if (exact.End != row.Units || exact.New != row.New || exact.Reactivation != row.Reactivation || exact.Expansion != row.Expansion
        || exact.Contraction != row.Contraction || exact.Churn != row.Churn || paying != row.Paying)
    {
        if (++mismatches <= 5) Console.WriteLine($"MISMATCH {month}: engine {exact} paying {paying}; sql {row}");
    }
}
var engineMonths = engine.MonthCount;

// Incremental: one new event on an existing customer in the last month, then that month's figures.
var random = new Random(seed + 1);
var appendTimes = new List<double>();
for (var i = 0; i < appends; i++)
{
    var customer = $"c{random.Next(customers)}";
    var entry = new LedgerEntry(customer, $"{customer}-extra{i}", SubscriptionEventType.Start, History.Last.Start.AddHours(random.Next(1, 600)),
        "chatbot", "pro", BillingInterval.Month, 99m, "USD", 1, 0m, null, events + i);
    var watch = Stopwatch.StartNew();
    if (!engine.Append(entry)) throw new InvalidOperationException("append refused");
    _ = engine.Figures(History.Last);
    appendTimes.Add(watch.Elapsed.TotalMilliseconds);
}
appendTimes.Sort();

var engineBest = engineTimes.Min();
var sqlBest = sqlTimes.Min();
Console.WriteLine();
Console.WriteLine($"| computation | months | best of runs | runs (ms) |");
Console.WriteLine($"| --- | --- | --- | --- |");
Console.WriteLine($"| engine (in memory) | {engineMonths} | {engineBest:F0} ms | {string.Join(", ", engineTimes.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |");
Console.WriteLine($"| PostgreSQL, one query | {sql.Count} | {sqlBest:F0} ms | {string.Join(", ", sqlTimes.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |");
Console.WriteLine();
Console.WriteLine($"engine is {sqlBest / engineBest:F1}x faster than PostgreSQL (goal: at least 10x)");
Console.WriteLine($"one month's figures after appending one event ({appends} appends): median {appendTimes[appendTimes.Count / 2]:F3} ms, p99 {appendTimes[(int)(appendTimes.Count * 0.99)]:F3} ms, max {appendTimes[^1]:F3} ms (goal: < 10 ms)");
Console.WriteLine(mismatches == 0 ? $"agreement: all {sql.Count} months equal (MRR, new, reactivation, expansion, contraction, churn, paying customers)" : $"agreement: {mismatches} months DIFFER");
return mismatches == 0 ? 0 : 1;
