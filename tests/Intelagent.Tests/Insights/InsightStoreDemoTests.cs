using Intelagent.Server.Insights.Events;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Platform;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Intelagent.Tests.Insights;

public sealed class InsightStoreDemoTestsOnSqlite(SqliteApp app) : InsightStoreDemoTests<SqliteApp>(app);
public sealed class InsightStoreDemoTestsOnPostgres(PostgresApp app) : InsightStoreDemoTests<PostgresApp>(app);

/// <summary>The demo seed's planted effects are what a newcomer sees first: each must come out as an insight.</summary>
public abstract class InsightStoreDemoTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task DemoSeed_ShouldProduceTheInsightsOfItsPlantedEffects_AndSeedOnlyOnce()
    {
        await DemoData.SeedIfEmptyAsync(app.Services, NullLogger.Instance);
        await DemoProductEvents.SeedIfEmptyAsync(app.Services, NullLogger.Instance);
        await DemoProductEvents.SeedIfEmptyAsync(app.Services, NullLogger.Instance);

        var insights = await app.WithDbAsync(async db =>
        {
            var names = await db.Organizations.IgnoreQueryFilters().ToDictionaryAsync(o => o.Id, o => o.Name);
            return (await db.Set<Insight>().IgnoreQueryFilters().Where(i => i.IsCurrent).ToListAsync())
                .Select(i => (Organization: names.GetValueOrDefault(i.OrganizationId), i.Detector, i.Title)).ToList();
        });

        Assert.Contains(insights, i => i.Organization == "Globex Marketing" && i.Detector == "email.best_send_time" && i.Title.StartsWith("Emails sent Tuesday 10am", StringComparison.Ordinal));
        Assert.Contains(insights, i => i.Organization == "Acme Support Co" && i.Detector == "chatbot.tickets_prevented");
        Assert.Contains(insights, i => i.Organization == "Acme Support Co" && i.Detector == "usage.anomaly" && i.Title.StartsWith("API calls spiked", StringComparison.Ordinal));
        Assert.Contains(insights, i => i.Organization == "Initech Leads" && i.Detector == "lead.enrichment_response");
        Assert.DoesNotContain(insights, i => i.Organization == "Globex Marketing" && i.Detector == "lead.enrichment_response");
        var events = await app.WithDbAsync(db => db.Set<Intelagent.Server.Insights.Kernel.ProductEvent>().IgnoreQueryFilters().CountAsync());
        Assert.True(events > 10_000, $"{events} events");
    }
}
