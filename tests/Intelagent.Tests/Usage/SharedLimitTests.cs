using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Intelagent.Tests.Usage;

/// <summary>Two metering nodes with limits enforced, their Redis keys under the fixture's own prefix.</summary>
public sealed class TwoMeteredNodes : TwoNodesOnOneDatabase
{
    // Two servers and 1,000 calls on two shared cores: a generous in-flight cap and Redis timeout, so no false fallbacks.
    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        .. base.Settings, ("Usage:RedisPrefix", Prefix), ("Usage:EnforceLimits", "true"),
        ("Usage:ConcurrentRequests:Free", "2000"), ("Usage:RedisTimeoutMilliseconds", "10000"),
    ];
}

/// <summary>With REDIS_URL, one organization's rate and daily quota hold across nodes, and every call is counted once.</summary>
public sealed class SharedLimitTests(TwoMeteredNodes nodes) : IClassFixture<TwoMeteredNodes>
{
    private async Task<Account> OrganizationWithLimitsAsync(object limits)
    {
        var owner = await nodes.A.RegisterAsync();
        var operatorClient = nodes.A.WithToken(await nodes.A.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", limits), HttpStatusCode.OK);
        return owner;
    }

    [Fact]
    public async Task TwoNodes_ShouldEnforceOneDailyQuotaBetweenThem()
    {
        var owner = await OrganizationWithLimitsAsync(new { apiCallsPerDay = 10 });
        var clients = new[] { nodes.A.WithToken(owner.Token, owner.OrganizationId), nodes.B.WithToken(owner.Token, owner.OrganizationId) };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++) statuses.Add((await clients[i % 2].GetAsync($"/api/organizations/{owner.OrganizationId}")).StatusCode);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 10).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 10)), statuses);
        var refused = await clients[1].GetAsync($"/api/organizations/{owner.OrganizationId}");
        await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "daily_quota_exceeded");
        Assert.Equal("0", refused.Headers.GetValues("X-Quota-Remaining").Single());
    }

    [Fact]
    public async Task TwoNodes_ShouldShareOneTokenBucket()
    {
        var owner = await OrganizationWithLimitsAsync(new { ratePerMinute = 1, burst = 6 });
        var clients = new[] { nodes.A.WithToken(owner.Token, owner.OrganizationId), nodes.B.WithToken(owner.Token, owner.OrganizationId) };

        var admitted = 0;
        for (var i = 0; i < 12; i++)
            if ((await clients[i % 2].GetAsync($"/api/organizations/{owner.OrganizationId}")).StatusCode == HttpStatusCode.OK) admitted++;

        Assert.Equal(6, admitted);
    }

    [Fact]
    public async Task ConcurrentCalls_OnBothNodes_ShouldBeCountedExactlyOnce()
    {
        var owner = await OrganizationWithLimitsAsync(new { apiCallsPerDay = -1, ratePerMinute = 1_000_000, burst = 10_000_000 });
        var onA = nodes.A.WithToken(owner.Token, owner.OrganizationId);
        var onB = nodes.B.WithToken(owner.Token, owner.OrganizationId);

        await Api.ExpectAsync(await onA.GetAsync("/api/usage/limits"), HttpStatusCode.OK); // warms each node's caches: 2 calls
        await Api.ExpectAsync(await onB.GetAsync("/api/usage/limits"), HttpStatusCode.OK);
        // An endpoint that answers from caches: a thousand calls at once must not exhaust the test database's connections.
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => (i % 2 == 0 ? onA : onB).GetAsync("/api/usage/limits")));
        var failed = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", await Task.WhenAll(failed.Take(3).Select(r => r.Content.ReadAsStringAsync()))));
        await nodes.A.Services.GetRequiredService<UsageFlushService>().FlushAsync(CancellationToken.None);
        await nodes.B.Services.GetRequiredService<UsageFlushService>().FlushAsync(CancellationToken.None);

        var flushed = await nodes.A.WithDbAsync(db => db.Set<UsageRollup>().IgnoreQueryFilters()
            .Where(r => r.OrganizationId == owner.OrganizationId && r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day).SumAsync(r => r.Value));
        Assert.Equal(1002, flushed);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RealtimeRedisSettings.Parse(nodes.RedisUrl));
        var day = nodes.A.Clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd");
        Assert.Equal(1002, (long)await redis.GetDatabase().StringGetAsync($"{nodes.Prefix}:usage:{owner.OrganizationId}:calls:{day}"));
    }
}

/// <summary>A node whose REDIS_URL points nowhere.</summary>
public sealed class UnreachableRedisApp : SqliteApp
{
    // Usage:RedisUrl, not REDIS_URL: the real-time fan-out refuses to start without its Redis.
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Usage:RedisUrl", "redis://127.0.0.1:9"), ("Usage:EnforceLimits", "true")];
}

public sealed class UnreachableRedisTests(UnreachableRedisApp app) : IClassFixture<UnreachableRedisApp>
{
    [Fact]
    public async Task Limiter_WhenRedisIsUnreachable_ShouldLimitLocallyAndReportDegraded()
    {
        var owner = await app.RegisterAsync();
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", new { ratePerMinute = 1, burst = 2 }), HttpStatusCode.OK);
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.TooManyRequests, "rate_limited");

        var ready = await app.Anonymous().GetAsync("/health/ready");
        await Api.ExpectAsync(ready, HttpStatusCode.OK);
        var health = await ready.JsonAsync();
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("usage-limiter").GetProperty("status").GetString());
        Assert.True(app.Services.GetRequiredService<RedisUsageLimiter>().Degraded);
    }
}
