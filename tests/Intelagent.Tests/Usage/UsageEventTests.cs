using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Usage;

public sealed class UsageEventTestsOnSqlite(SqliteApp app) : UsageEventTests<SqliteApp>(app);
public sealed class UsageEventTestsOnPostgres(PostgresApp app) : UsageEventTests<PostgresApp>(app);

public abstract class UsageEventTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static object Event(string id, string metric, decimal quantity, string product = "chatbot") => new { id, metric, quantity, product };

    [Fact]
    public async Task Report_WhenRetried_ShouldCountOnce_AndTheLatestStorageReportPerProductWins()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var batch = new { events = new[] { Event("e1", "compute_seconds", 10.5m), Event("e2", "storage_bytes", 1000), Event("e3", "background_jobs", 2) } };

        var first = await (await client.PostAsJsonAsync("/api/usage/events", batch)).JsonAsync();
        Assert.Equal(3, first.GetProperty("accepted").GetInt32());
        var retry = await client.PostAsJsonAsync("/api/usage/events", batch);
        await Api.ExpectAsync(retry, HttpStatusCode.OK);
        Assert.Equal(3, (await retry.JsonAsync()).GetProperty("duplicates").GetInt32());
        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/usage/events",
            new { events = new[] { Event("e4", "storage_bytes", 400), Event("e5", "storage_bytes", 100, "crm") } }), HttpStatusCode.OK);

        var usage = await (await client.GetAsync("/api/usage")).JsonAsync();
        Assert.Equal(10.5m, usage.GetProperty("computeSecondsThisMonth").GetDecimal());
        Assert.Equal(2m, usage.GetProperty("backgroundJobsThisMonth").GetDecimal());
        Assert.Equal(500, usage.GetProperty("storageBytes").GetProperty("used").GetInt64());
        Assert.Equal(1_000_000_000, usage.GetProperty("storageBytes").GetProperty("limit").GetInt64());
        Assert.Equal(5, await app.WithDbAsync(db => db.Set<UsageEvent>().IgnoreQueryFilters().CountAsync(e => e.OrganizationId == owner.OrganizationId)));

        var other = await app.RegisterAsync();
        var theirs = await (await app.WithToken(other.Token).GetAsync("/api/usage")).JsonAsync();
        Assert.Equal(0, theirs.GetProperty("storageBytes").GetProperty("used").GetInt64());
        Assert.Equal(0m, theirs.GetProperty("computeSecondsThisMonth").GetDecimal());
    }

    public static TheoryData<string> BadBatches => new()
    {
        "unknown-metric", "negative", "duplicate", "oversized", "empty",
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task Report_WithABadBatch_ShouldBe400AndStoreNothing(string kind)
    {
        var owner = await app.RegisterAsync();
        object[] events = kind switch
        {
            "unknown-metric" => [Event("a", "compute_seconds", 1), Event("b", "gpu_hours", 1)],
            "negative" => [Event("a", "compute_seconds", 1), Event("b", "storage_bytes", -1)],
            "duplicate" => [Event("a", "compute_seconds", 1), Event("a", "compute_seconds", 1)],
            "oversized" => Enumerable.Range(0, UsageEventService.MaxBatch + 1).Select(i => Event($"e{i}", "background_jobs", 1)).ToArray(),
            _ => [],
        };
        var response = await app.WithToken(owner.Token).PostAsJsonAsync("/api/usage/events", new { events });
        await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<UsageEvent>().IgnoreQueryFilters().CountAsync(e => e.OrganizationId == owner.OrganizationId)));
    }
}
