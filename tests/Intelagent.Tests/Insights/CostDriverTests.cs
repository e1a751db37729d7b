using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Demo;
using Intelagent.Server.Insights.Finance;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Insights;

public sealed class CostDriverTestsOnSqlite(SqliteApp app) : CostDriverTests<SqliteApp>(app);
public sealed class CostDriverTestsOnPostgres(PostgresApp app) : CostDriverTests<PostgresApp>(app);

/// <summary>The cost decomposition and the finance detectors on generated history with a planted heavy customer whose usage jumps in the last month.</summary>
public abstract class CostDriverTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<TestApp, (string Heavy, Dictionary<string, string> Ids)> Seeded = [];

    private async Task<(string Heavy, Dictionary<string, string> Ids)> SeedOnceAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (Seeded.TryGetValue(app, out var done)) return done;
            var generated = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(20, 10, Month.Of(app.Clock.GetUtcNow()).Previous, 21));
            var ids = await app.WithDbAsync(async db =>
            {
                var written = new CustomerHistoryWriter(db, app.Clock).Write(generated, 21);
                await db.SaveChangesAsync();
                return written;
            });
            return Seeded[app] = (ids[generated.Single(c => c.Heavy).Timeline.OrganizationId], ids);
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, AppDb, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    [Fact]
    public async Task Decompose_WhenPlatformCostsChange_ShouldSplitTheChangeExactlyByProductCategoryAndCustomerAndNameTheHeavyCustomer()
    {
        var (heavy, _) = await SeedOnceAsync();
        var last = Month.Of(app.Clock.GetUtcNow()).Previous;

        var result = await InScopeAsync((services, db) => services.GetRequiredService<ICostDriverAnalysis>()
            .DecomposeAsync(db, new InsightScope(null, app.Clock.GetUtcNow()), last.Start, last.End, last.Previous.Start, last.Previous.End, CancellationToken.None));

        var stored = await app.WithDbAsync(db => db.Set<CostEntry>().AsNoTracking().ToListAsync());
        Assert.Equal(stored.Where(c => c.Month == last.ToString()).Sum(c => c.Amount), result.CurrentTotal);
        Assert.Equal(stored.Where(c => c.Month == last.Previous.ToString()).Sum(c => c.Amount), result.PreviousTotal);
        foreach (var dimension in new[] { "product", "category", "customer" })
        {
            var drivers = result.Drivers.Where(d => d.Dimension == dimension).ToList();
            Assert.NotEmpty(drivers);
            Assert.Equal(result.CurrentTotal - result.PreviousTotal, drivers.Sum(d => d.Change));
            Assert.Equal(result.CurrentTotal, drivers.Sum(d => d.Current));
        }
        var topCustomer = result.Drivers.Where(d => d.Dimension == "customer").MaxBy(d => d.Change)!;
        Assert.Equal(heavy, topCustomer.Key);
    }

    [Fact]
    public async Task Decompose_WhenAnOrganizationAsks_ShouldSplitWhatItWasInvoicedByProductAndLineKind()
    {
        var (heavy, _) = await SeedOnceAsync();
        var last = Month.Of(app.Clock.GetUtcNow()).Previous;
        var first = new Month(last.Index - 5);

        var result = await InScopeAsync((services, db) => services.GetRequiredService<ICostDriverAnalysis>()
            .DecomposeAsync(db, new InsightScope(heavy, app.Clock.GetUtcNow()), last.Start, last.End, first.Start, first.End, CancellationToken.None));

        Assert.True(result.CurrentTotal > 0m);
        Assert.DoesNotContain(result.Drivers, d => d.Dimension == "customer");
        Assert.Equal(result.CurrentTotal - result.PreviousTotal, result.Drivers.Where(d => d.Dimension == "product").Sum(d => d.Change));
        Assert.Equal(["platform"], result.Drivers.Where(d => d.Dimension == "product").Select(d => d.Key));
        Assert.Equal(["subscription"], result.Drivers.Where(d => d.Dimension == "category").Select(d => d.Key));
    }

    [Fact]
    public async Task Detectors_WhenTheHeavyCustomerCostsMoreThanItPaysAndJumps_ShouldFindTheCostIncreaseAndTheUnprofitableCustomer()
    {
        var (heavy, _) = await SeedOnceAsync();
        var scope = new InsightScope(null, app.Clock.GetUtcNow());

        var findings = await InScopeAsync(async (services, db) =>
        {
            var all = new List<InsightCandidate>();
            foreach (var detector in services.GetServices<IInsightDetector>().Where(d => d.Key.StartsWith("finance.", StringComparison.Ordinal)))
                if (detector.RunsFor(scope)) all.AddRange(await detector.DetectAsync(db, scope, CancellationToken.None));
            return all;
        });

        var cost = Assert.Single(findings, f => f.Fingerprint.StartsWith("cost_increase:", StringComparison.Ordinal));
        Assert.Equal(InsightTypes.Optimization, cost.Type);
        Assert.InRange(cost.Confidence, 0.95, 1.0);
        Assert.Contains(cost.DataPoints["drivers"]!.AsArray(), d => d!["key"]!.GetValue<string>() == heavy);
        var unprofitable = Assert.Single(findings, f => f.Fingerprint.StartsWith("unprofitable:", StringComparison.Ordinal));
        Assert.Equal($"unprofitable:{heavy}", unprofitable.Fingerprint);
        Assert.All(findings, f => Assert.InRange(f.Confidence, 0.0, 1.0));
    }

    [Fact]
    public async Task Detectors_WhenAnOrganizationIsInScope_ShouldNotRunThePlatformFindings()
    {
        var (heavy, _) = await SeedOnceAsync();
        var scope = new InsightScope(heavy, app.Clock.GetUtcNow());

        var running = await InScopeAsync((services, _) => Task.FromResult(services.GetServices<IInsightDetector>()
            .Where(d => d.Key.StartsWith("finance.", StringComparison.Ordinal) || d.Key.StartsWith("predictions.", StringComparison.Ordinal))
            .Where(d => d.RunsFor(scope)).ToList()));

        Assert.Empty(running);
    }
}
