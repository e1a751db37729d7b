using System.Diagnostics;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Demo;

/// <summary>
/// The demo's finances: months of customers with subscriptions, usage, sign-ins, payments and tickets,
/// some of them drifting towards churn, so that a first look at predictions and insights shows
/// something real. Runs once, when no subscription history exists yet.
/// </summary>
public static class DemoFinance
{
    public const int Customers = 40;
    public const int Months = 18;
    public const int Seed = 2026;

    public static async Task SeedIfEmptyAsync(IServiceProvider services, ILogger logger)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        if (await db.Set<SubscriptionEvent>().IgnoreQueryFilters().AnyAsync()) return;
        var stopwatch = Stopwatch.StartNew();
        var lastClosed = Month.Of(db.Clock.GetUtcNow()).Previous;
        var customers = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(Customers, Months, lastClosed, Seed));
        new CustomerHistoryWriter(db, db.Clock).Write(customers, Seed);
        db.Audit("demo.finance_seeded");
        await db.SaveChangesAsync();
        logger.LogInformation("Seeded demo finances: {Customers} customers over {Months} months in {Elapsed} ms", Customers, Months, stopwatch.ElapsedMilliseconds);
    }
}
